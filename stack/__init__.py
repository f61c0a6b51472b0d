"""Starting the whole system on one machine: `make run` (stack.run) and `make cluster` (stack.cluster)."""
