print("kioskd")
