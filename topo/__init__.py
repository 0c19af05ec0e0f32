"""Mininet topologies and node classes of the dmm-bench conformance bench (RFC 5213, RFC 8278)."""
