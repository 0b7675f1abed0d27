def load(path):
    return open(path, "rb").read()


class Store:
    def load(self, key):
        return key

    def from_store(self, x):
        return x


pickle = Store()
x = load("model.bin")
y = pickle.load("key")
z = Store().load("k")
