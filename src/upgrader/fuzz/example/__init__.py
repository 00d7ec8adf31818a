"""One example of `upgrader fuzz`: ``trace`` (what it did on both forks, and the first failure),
``render`` (for a reader, and as JSON), ``replay`` (a failing example as a file, run again)."""
