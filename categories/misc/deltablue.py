"""DeltaBlue, the incremental one-way constraint solver of Freeman-Benson,
Maloney and Borning, in its classic benchmark form (n = 100).

The chain test links 101 variables by equality constraints and drags the
first one through 100 values; the projection test ties 100 source/destination
pairs by scale-and-offset constraints and edits either end. Both check the
propagated values. The time goes to method dispatch over many small objects.
"""
N = 100

# Constraint strengths; a smaller number is stronger.
REQUIRED = 0
STRONG_PREFERRED = 1
PREFERRED = 2
STRONG_DEFAULT = 3
NORMAL = 4
WEAK_DEFAULT = 5
WEAKEST = 6

# Which way a binary constraint currently propagates.
NONE, FORWARD, BACKWARD = 0, 1, 2


def check(ok, message):
    if not ok:
        raise AssertionError("deltablue: " + message)


class Variable:
    def __init__(self, name, value=0):
        self.name = name
        self.value = value
        self.constraints = []
        self.determined_by = None
        self.walk_strength = WEAKEST
        # True when the value cannot change without an input changing.
        self.stay = True
        self.mark = 0

    def add_constraint(self, constraint):
        self.constraints.append(constraint)

    def remove_constraint(self, constraint):
        self.constraints.remove(constraint)
        if self.determined_by is constraint:
            self.determined_by = None


class Constraint:
    def __init__(self, strength, planner):
        self.strength = strength
        self.add_to_graph()
        planner.incremental_add(self)

    def is_input(self):
        return False

    def satisfy(self, mark, planner):
        """Pick a method and enforce it; return the constraint it overrode."""
        self.choose_method(mark)
        if not self.is_satisfied():
            check(self.strength != REQUIRED,
                  "could not satisfy a required constraint")
            return None
        self.mark_inputs(mark)
        out = self.output()
        overridden = out.determined_by
        if overridden is not None:
            overridden.mark_unsatisfied()
        out.determined_by = self
        check(planner.add_propagate(self, mark), "cycle encountered")
        out.mark = mark
        return overridden

    def destroy(self, planner):
        if self.is_satisfied():
            planner.incremental_remove(self)
        else:
            self.remove_from_graph()


class UnaryConstraint(Constraint):
    def __init__(self, variable, strength, planner):
        self.variable = variable
        self.satisfied = False
        super().__init__(strength, planner)

    def add_to_graph(self):
        self.variable.add_constraint(self)
        self.satisfied = False

    def remove_from_graph(self):
        self.variable.remove_constraint(self)
        self.satisfied = False

    def choose_method(self, mark):
        self.satisfied = (self.variable.mark != mark
                          and self.strength < self.variable.walk_strength)

    def is_satisfied(self):
        return self.satisfied

    def mark_inputs(self, mark):
        pass

    def output(self):
        return self.variable

    def recalculate(self):
        self.variable.walk_strength = self.strength
        self.variable.stay = not self.is_input()
        if self.variable.stay:
            self.execute()

    def mark_unsatisfied(self):
        self.satisfied = False

    def inputs_known(self, mark):
        return True

    def execute(self):
        pass


class StayConstraint(UnaryConstraint):
    """Keeps a variable at its current value."""


class EditConstraint(UnaryConstraint):
    """Marks a variable as set from outside the solver."""

    def is_input(self):
        return True


class BinaryConstraint(Constraint):
    def __init__(self, source, target, strength, planner):
        self.source = source
        self.target = target
        self.direction = NONE
        super().__init__(strength, planner)

    def add_to_graph(self):
        self.source.add_constraint(self)
        self.target.add_constraint(self)
        self.direction = NONE

    def remove_from_graph(self):
        self.source.remove_constraint(self)
        self.target.remove_constraint(self)
        self.direction = NONE

    def choose_method(self, mark):
        source, target = self.source, self.target
        if source.mark == mark:
            self.direction = (FORWARD if target.mark != mark
                              and self.strength < target.walk_strength
                              else NONE)
        elif target.mark == mark:
            self.direction = (BACKWARD if source.mark != mark
                              and self.strength < source.walk_strength
                              else NONE)
        elif source.walk_strength > target.walk_strength:
            # The weaker end gives way, if this constraint can override it.
            self.direction = (BACKWARD
                              if self.strength < source.walk_strength
                              else NONE)
        else:
            self.direction = (FORWARD
                              if self.strength < target.walk_strength
                              else BACKWARD)

    def is_satisfied(self):
        return self.direction != NONE

    def mark_inputs(self, mark):
        self.input().mark = mark

    def input(self):
        return self.source if self.direction == FORWARD else self.target

    def output(self):
        return self.target if self.direction == FORWARD else self.source

    def recalculate(self):
        source, out = self.input(), self.output()
        out.walk_strength = max(self.strength, source.walk_strength)
        out.stay = source.stay
        if out.stay:
            self.execute()

    def mark_unsatisfied(self):
        self.direction = NONE

    def inputs_known(self, mark):
        source = self.input()
        return (source.mark == mark or source.stay
                or source.determined_by is None)


class EqualityConstraint(BinaryConstraint):
    def execute(self):
        self.output().value = self.input().value


class ScaleConstraint(BinaryConstraint):
    """target = source * scale + offset, solved in either direction."""

    def __init__(self, source, scale, offset, target, strength, planner):
        self.scale = scale
        self.offset = offset
        super().__init__(source, target, strength, planner)

    def add_to_graph(self):
        super().add_to_graph()
        self.scale.add_constraint(self)
        self.offset.add_constraint(self)

    def remove_from_graph(self):
        super().remove_from_graph()
        self.scale.remove_constraint(self)
        self.offset.remove_constraint(self)

    def mark_inputs(self, mark):
        super().mark_inputs(mark)
        self.scale.mark = mark
        self.offset.mark = mark

    def execute(self):
        if self.direction == FORWARD:
            self.target.value = (self.source.value * self.scale.value
                                 + self.offset.value)
        else:
            self.source.value = ((self.target.value - self.offset.value)
                                 // self.scale.value)

    def recalculate(self):
        source, out = self.input(), self.output()
        out.walk_strength = max(self.strength, source.walk_strength)
        out.stay = source.stay and self.scale.stay and self.offset.stay
        if out.stay:
            self.execute()


class Plan:
    def __init__(self):
        self.constraints = []

    def add(self, constraint):
        self.constraints.append(constraint)

    def execute(self):
        for constraint in self.constraints:
            constraint.execute()


class Planner:
    def __init__(self):
        self.current_mark = 0

    def new_mark(self):
        self.current_mark += 1
        return self.current_mark

    def incremental_add(self, constraint):
        mark = self.new_mark()
        overridden = constraint.satisfy(mark, self)
        while overridden is not None:
            overridden = overridden.satisfy(mark, self)

    def incremental_remove(self, constraint):
        out = constraint.output()
        constraint.mark_unsatisfied()
        constraint.remove_from_graph()
        unsatisfied = self.remove_propagate_from(out)
        # Re-add what lost its support, strongest first.
        for strength in range(REQUIRED, WEAKEST):
            for waiting in unsatisfied:
                if waiting.strength == strength:
                    self.incremental_add(waiting)

    def add_propagate(self, constraint, mark):
        """Recompute everything downstream of `constraint`; False on a
        cycle (the constraint is then retracted)."""
        todo = [constraint]
        while todo:
            current = todo.pop(0)
            if current.output().mark == mark:
                self.incremental_remove(constraint)
                return False
            current.recalculate()
            self.add_consumers(current.output(), todo)
        return True

    def remove_propagate_from(self, out):
        out.determined_by = None
        out.walk_strength = WEAKEST
        out.stay = True
        unsatisfied = []
        todo = [out]
        while todo:
            variable = todo.pop(0)
            for constraint in variable.constraints:
                if not constraint.is_satisfied():
                    unsatisfied.append(constraint)
            determining = variable.determined_by
            for constraint in variable.constraints:
                if (constraint is not determining
                        and constraint.is_satisfied()):
                    constraint.recalculate()
                    todo.append(constraint.output())
        return unsatisfied

    def add_consumers(self, variable, collection):
        determining = variable.determined_by
        for constraint in variable.constraints:
            if constraint is not determining and constraint.is_satisfied():
                collection.append(constraint)

    def make_plan(self, sources):
        mark = self.new_mark()
        plan = Plan()
        todo = list(sources)
        while todo:
            constraint = todo.pop(0)
            out = constraint.output()
            if out.mark != mark and constraint.inputs_known(mark):
                plan.add(constraint)
                out.mark = mark
                self.add_consumers(out, todo)
        return plan

    def plan_from(self, constraints):
        return self.make_plan([c for c in constraints
                               if c.is_input() and c.is_satisfied()])


def chain_test(n):
    planner = Planner()
    chain = [Variable("v%d" % i) for i in range(n + 1)]
    for left, right in zip(chain, chain[1:]):
        EqualityConstraint(left, right, REQUIRED, planner)
    first, last = chain[0], chain[-1]
    StayConstraint(last, STRONG_DEFAULT, planner)
    edit = EditConstraint(first, PREFERRED, planner)
    plan = planner.plan_from([edit])
    for value in range(100):
        first.value = value
        plan.execute()
        check(last.value == value, "chain test: last is %r, expected %r"
              % (last.value, value))


def change(planner, variable, value):
    edit = EditConstraint(variable, PREFERRED, planner)
    plan = planner.plan_from([edit])
    for _ in range(10):
        variable.value = value
        plan.execute()
    edit.destroy(planner)


def projection_test(n):
    planner = Planner()
    scale = Variable("scale", 10)
    offset = Variable("offset", 1000)
    targets = []
    for i in range(n):
        source = Variable("src%d" % i, i)
        target = Variable("dst%d" % i, i)
        targets.append(target)
        StayConstraint(source, NORMAL, planner)
        ScaleConstraint(source, scale, offset, target, REQUIRED, planner)

    change(planner, source, 17)
    check(target.value == 1170, "projection test: dst is %r, expected 1170"
          % target.value)
    change(planner, target, 1050)
    check(source.value == 5, "projection test: src is %r, expected 5"
          % source.value)
    change(planner, scale, 5)
    for i, target in enumerate(targets[:-1]):
        check(target.value == i * 5 + 1000,
              "projection test: scaled dst%d is %r" % (i, target.value))
    change(planner, offset, 2000)
    for i, target in enumerate(targets[:-1]):
        check(target.value == i * 5 + 2000,
              "projection test: offset dst%d is %r" % (i, target.value))


def setup():
    return N


def run(state, loops):
    for _ in range(loops):
        chain_test(state)
        projection_test(state)
