"""Turn captured responses into clean, normalized articles and load them into the warehouse."""
