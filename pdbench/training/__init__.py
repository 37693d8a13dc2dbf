"""Training: DPO / DMPO through TRL (in a child process or under accelerate), SFT, the reference log-prob cache."""
