"""The load-and-fault test and the worker it starts.

The delivery record's table is named here, not in ``worker`` (importing that module
subscribes its recorder to every event in the importing process)."""

DELIVERIES = "load_deliveries"
