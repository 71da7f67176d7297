"""The track record: scores (Brier, points, calibration), each author's figures, the git history
of each prediction file, and `foretell resolve`."""
