"""Reports from the public: intake, deduplication, the analysts' queue, the reporter's status."""
