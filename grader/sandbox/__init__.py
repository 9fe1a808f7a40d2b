"""The sandbox every student kernel runs in: bubblewrap, an unprivileged user, no network, resource limits.

    bwrap.py     how the sandbox command is built (pure: arguments in, argv out) and whether it can run here
    kernel.py    a Jupyter kernel manager and nbgrader Execute stage that start the kernel inside it
    guard.py     loaded first inside the kernel: detects tampering with IPython and with check functions
"""
