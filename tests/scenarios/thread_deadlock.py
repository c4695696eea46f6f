"""Two threads take two locks in opposite orders: each holds one and waits for the other. By
hand the program hangs for ever; netlab calls the deadlock and names both waits."""

from netlab import Scenario

lab = Scenario("thread deadlock")


@lab.actor("server")
def server(ctx):
    import threading
    import time

    first, second = threading.Lock(), threading.Lock()

    def one_way():
        with first:
            time.sleep(0.1)
            with second:
                print("never")

    def other_way():
        with second:
            time.sleep(0.1)
            with first:
                print("never")

    threads = [threading.Thread(target=one_way), threading.Thread(target=other_way)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
