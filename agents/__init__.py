"""The agent graph (LangGraph orchestrator and sub-agents) — arrives with the agents issue."""
