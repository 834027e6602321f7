# Entry points; the scripts do the work. See scripts/setup.sh and scripts/test.sh.
.PHONY: run test setup

setup:
	bash scripts/setup.sh

# Builds the UI, then builds and starts the desktop app; it needs a display (X11 or Wayland).
run:
	@if [ -z "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
		echo "make run: no display found (DISPLAY and WAYLAND_DISPLAY are unset)." >&2; \
		echo "  On a headless machine run it under a virtual one:" >&2; \
		echo '    xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- make run' >&2; \
		exit 1; \
	fi
	bash scripts/setup.sh
	npm --prefix ui run build
	cargo run -p meridian-desktop

test:
	bash scripts/test.sh
