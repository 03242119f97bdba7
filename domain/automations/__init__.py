"""Automations: schedules, runs, notifications, dunning and stock alert records."""
