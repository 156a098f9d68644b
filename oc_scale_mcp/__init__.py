"""oc-scale: tells a team whether their web app can handle more users, and proves it with measurements.

The public surface is small on purpose (a test pins it): the version, the error root, and the
command registry. Everything else is an implementation detail of its layer.
"""

from oc_scale_mcp.core.errors import OcScaleError

__version__ = "0.1.0"

__all__ = ["OcScaleError", "__version__"]
