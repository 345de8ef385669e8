"""The eleven Cardinal procurement indicators (cardinal-rs 0.0.8) over OCDS compiled releases.

- `settings`: Cardinal's INI settings (`CardinalSettings.from_ini`);
- `indicators`: the six indicators one release decides (R003, R018, R028, R030, R035, R036), `evaluate_release`;
- `population`: the five judged against all processes (R024, R025, R038, R048, R058) and `evaluate_all`.

`monitoring.rules.procurement` re-exports the public names; import from there.
"""
