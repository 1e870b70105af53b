"""Built-in SMD plugins, registered exactly like third-party ones."""
