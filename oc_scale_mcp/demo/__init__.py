"""A local target to try oc-scale on: the example app's API and assets, served on 127.0.0.1."""
