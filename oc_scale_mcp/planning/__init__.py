"""Models: the Universal Scalability Law fit, capacity planning, and the cost model. Pure functions on
numbers and data files: nothing here opens a socket or writes a file."""
