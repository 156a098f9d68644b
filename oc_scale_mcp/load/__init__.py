"""Live traffic: the builtin HTTP/1.1 load engine, its worker processes, external engines (wrk, hey,
locust), thresholds, and request timing for `benchmark`. Only this layer (and commands/) opens sockets."""
