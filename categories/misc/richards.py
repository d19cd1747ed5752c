"""Richards: Martin Richards' simulation of a small operating-system kernel.

Six tasks share one priority-ordered run queue: an idle task that runs 10,000
times and alternately releases two device tasks, a worker that fills packets
with letters, two handlers that pass the letters one by one to their devices,
and the two devices. Tasks communicate by queueing packets, wait for packets
and put themselves on hold. One full simulation per iteration; the numbers of
packets queued (23,246) and of holds (9,297) are the benchmark's own check.
"""
IDLE_RUNS = 10_000
EXPECTED_QUEUED = 23_246
EXPECTED_HOLDS = 9_297

IDLE, WORKER, HANDLER_A, HANDLER_B, DEVICE_A, DEVICE_B = range(1, 7)
DEVICE_PACKET, WORK_PACKET = "device", "work"
BUFFER_SIZE = 4
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

# Task state bits: a task runs when it is not held and is either not waiting
# or has a packet to take.
HAS_PACKET = 1
WAITING = 2
HELD = 4


class Packet:
    __slots__ = ("link", "ident", "kind", "datum", "data")

    def __init__(self, link, ident, kind):
        self.link = link
        self.ident = ident
        self.kind = kind
        self.datum = 0
        self.data = [0] * BUFFER_SIZE


def append(packet, queue):
    """Return queue (a packet chain, or None) with packet added at its end."""
    packet.link = None
    if queue is None:
        return packet
    last = queue
    while last.link is not None:
        last = last.link
    last.link = packet
    return queue


class Task:
    """A task control block; subclasses define step(packet)."""

    def __init__(self, kernel, ident, priority, queue, state):
        self.kernel = kernel
        self.ident = ident
        self.priority = priority
        self.queue = queue
        self.state = state
        self.next = kernel.tasks_head
        kernel.tasks_head = self
        kernel.tasks[ident] = self

    def wait(self):
        self.state |= WAITING
        return self

    def hold(self):
        self.kernel.holds += 1
        self.state |= HELD
        return self.next

    def release(self, ident):
        """Un-hold task ident; run it now if it outranks this task."""
        task = self.kernel.tasks[ident]
        task.state &= ~HELD
        return task if task.priority > self.priority else self

    def send(self, packet):
        """Queue packet for the task it names; the receiver may preempt us."""
        kernel = self.kernel
        target = kernel.tasks[packet.ident]
        kernel.queued += 1
        packet.link = None
        packet.ident = self.ident
        if target.queue is None:
            target.queue = packet
            target.state |= HAS_PACKET
            if target.priority > self.priority:
                return target
        else:
            append(packet, target.queue)
        return self


class IdleTask(Task):
    def __init__(self, kernel, runs):
        super().__init__(kernel, IDLE, 0, None, 0)
        self.seed = 1
        self.runs = runs

    def step(self, packet):
        self.runs -= 1
        if self.runs == 0:
            return self.hold()
        # A 16-bit shift register picks which device to wake next.
        if self.seed & 1:
            self.seed = (self.seed >> 1) ^ 0xD008
            return self.release(DEVICE_B)
        self.seed >>= 1
        return self.release(DEVICE_A)


class WorkerTask(Task):
    def __init__(self, kernel, queue):
        super().__init__(kernel, WORKER, 1000, queue, WAITING | HAS_PACKET)
        self.destination = HANDLER_A
        self.letter = 0

    def step(self, packet):
        if packet is None:
            return self.wait()
        # Alternate between the two handlers.
        self.destination = HANDLER_A + HANDLER_B - self.destination
        packet.ident = self.destination
        packet.datum = 0
        for i in range(BUFFER_SIZE):
            self.letter = self.letter % len(ALPHABET) + 1
            packet.data[i] = ALPHABET[self.letter - 1]
        return self.send(packet)


class HandlerTask(Task):
    def __init__(self, kernel, ident, priority, queue):
        super().__init__(kernel, ident, priority, queue, WAITING | HAS_PACKET)
        self.work = None
        self.devices = None

    def step(self, packet):
        if packet is not None:
            if packet.kind == WORK_PACKET:
                self.work = append(packet, self.work)
            else:
                self.devices = append(packet, self.devices)
        work = self.work
        if work is not None:
            count = work.datum
            if count >= BUFFER_SIZE:
                # Every letter has gone out: return the packet to the worker.
                self.work = work.link
                return self.send(work)
            device = self.devices
            if device is not None:
                self.devices = device.link
                device.datum = work.data[count]
                work.datum = count + 1
                return self.send(device)
        return self.wait()


class DeviceTask(Task):
    def __init__(self, kernel, ident, priority):
        super().__init__(kernel, ident, priority, None, WAITING)
        self.pending = None

    def step(self, packet):
        if packet is None:
            pending = self.pending
            if pending is None:
                return self.wait()
            self.pending = None
            return self.send(pending)
        # "Perform" the output, then hold until the idle task releases us.
        self.pending = packet
        return self.hold()


class Kernel:
    def __init__(self):
        self.tasks = {}
        self.tasks_head = None
        self.queued = 0
        self.holds = 0

    def schedule(self):
        """Run the highest-priority runnable task until none is left."""
        task = self.tasks_head
        while task is not None:
            state = task.state
            if state & HELD or state == WAITING:
                task = task.next
                continue
            packet = None
            if state == WAITING | HAS_PACKET:
                packet = task.queue
                task.queue = packet.link
                task.state = HAS_PACKET if task.queue is not None else 0
            task = task.step(packet)


def simulate(idle_runs):
    """Run one simulation; return (packets queued, holds)."""
    kernel = Kernel()
    # Created in increasing priority: the task list is kept highest first.
    IdleTask(kernel, idle_runs)
    work = Packet(None, 0, WORK_PACKET)
    work = Packet(work, 0, WORK_PACKET)
    WorkerTask(kernel, work)
    for handler, device, priority in ((HANDLER_A, DEVICE_A, 2000),
                                      (HANDLER_B, DEVICE_B, 3000)):
        queue = None
        for _ in range(3):
            queue = Packet(queue, device, DEVICE_PACKET)
        HandlerTask(kernel, handler, priority, queue)
    DeviceTask(kernel, DEVICE_A, 4000)
    DeviceTask(kernel, DEVICE_B, 5000)
    kernel.schedule()
    return kernel.queued, kernel.holds


def setup():
    return IDLE_RUNS


def run(state, loops):
    for _ in range(loops):
        queued, holds = simulate(state)
        if (queued, holds) != (EXPECTED_QUEUED, EXPECTED_HOLDS):
            raise AssertionError("richards: %d packets queued and %d holds, "
                                 "expected %d and %d"
                                 % (queued, holds, EXPECTED_QUEUED,
                                    EXPECTED_HOLDS))
