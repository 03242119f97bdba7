"""French system prompts, policies and intent exemplars, kept as files beside this module."""
