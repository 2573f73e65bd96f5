"""HTTP entry points: one blueprint per resource, each route a few lines."""
