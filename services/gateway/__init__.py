"""Gateway: REST API and web console over the services' gRPC APIs (it never touches their databases)."""
