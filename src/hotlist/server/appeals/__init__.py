"""Appeals from anyone blocked (the block page links here), decided by another supervisor."""
