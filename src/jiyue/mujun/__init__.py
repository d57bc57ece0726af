"""Per-mu efficiency evaluation (亩均效益评价): schemes, land accounting, scores, classes, measures."""
