print("kiosk-bench: not ready yet")
