"""Fakes of the outside world for tests: WeChat at the HTTP layer, minimal apps."""
