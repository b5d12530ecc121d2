"""The service shell: HTTP API, authentication, CLI and scheduler; wires lists to the core."""
