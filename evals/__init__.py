"""The eval harness — arrives with the eval issue."""
