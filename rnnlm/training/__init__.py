"""Training: the LightningCLI behind ``rnnlm fit|validate|test|predict`` and its callbacks."""
