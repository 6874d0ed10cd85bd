"""Commands layer: the `clientcare` command and the Python API under it (render a branch plan,
a proposal, the monthly batch), wiring inputs, domain, report and engine together."""
