"""The WhatsApp channel's records: linked numbers, received deliveries, outgoing messages
and the references that reply buttons carry."""
