#!/usr/bin/env python3
"""Run a program that has a deliberate data race and pass only if
ThreadSanitizer reports it (exit status 66 and a 'data race' report)."""
import subprocess
import sys

r = subprocess.run(sys.argv[1:], capture_output=True, text=True)
if r.returncode == 66 and 'WARNING: ThreadSanitizer: data race' in r.stderr:
    print('ThreadSanitizer reported the deliberate data race')
    sys.exit(0)
print(f'ThreadSanitizer did not report the deliberate race (exit {r.returncode}):')
print(r.stdout + r.stderr)
sys.exit(1)
