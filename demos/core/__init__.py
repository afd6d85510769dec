"""The lowest layer: validation, configuration, seeding and colours. It imports nothing else from
the package, and everything else may import it."""
