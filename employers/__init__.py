"""The registry: employers, the people who log in for them or for the institution, workers and employments."""
