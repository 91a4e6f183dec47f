"""Pages and htmx partials: parse input, call one service or selector, render."""
