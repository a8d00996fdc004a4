"""naas-centre: observed practice assessment for centres that run actor-played scenarios."""

__version__ = "0.1.0"
