"""SQLAlchemy ORM (declarative mapping) over an in-memory SQLite database.

Each loop deletes every row, adds 100 persons and one address per person,
committing after each object (200 commits), then runs 100 queries that each
load all persons. Written against SQLAlchemy 1.4 (Debian python3-sqlalchemy).
"""
from sqlalchemy import Column, ForeignKey, Integer, String, create_engine, func
from sqlalchemy.orm import Session, declarative_base, relationship
from sqlalchemy.pool import StaticPool

PEOPLE = 100
SELECTS = 100

Base = declarative_base()


class Person(Base):
    __tablename__ = "person"
    id = Column(Integer, primary_key=True)
    name = Column(String(250), nullable=False)


class Address(Base):
    __tablename__ = "address"
    id = Column(Integer, primary_key=True)
    street_name = Column(String(250))
    street_number = Column(String(250))
    post_code = Column(String(250), nullable=False)
    person_id = Column(Integer, ForeignKey("person.id"))
    person = relationship(Person)


def setup():
    # One shared connection: an in-memory database lives and dies with it.
    engine = create_engine("sqlite://", future=True, poolclass=StaticPool,
                           connect_args={"check_same_thread": False})
    Base.metadata.create_all(engine)
    return engine, Session(engine, future=True)


def run(state, loops):
    _engine, session = state
    for _ in range(loops):
        session.query(Address).delete(synchronize_session=False)
        session.query(Person).delete(synchronize_session=False)
        # Bulk deletes leave stale objects behind, and SQLite reuses the ids.
        session.expunge_all()

        for i in range(PEOPLE):
            person = Person(name="person %d" % i)
            session.add(person)
            session.commit()
            session.add(Address(street_name="street %d" % i,
                                street_number=str(i + 1),
                                post_code="%05d" % i, person=person))
            session.commit()

        loaded = 0
        for _ in range(SELECTS):
            loaded += len(session.query(Person).all())

        if loaded != PEOPLE * SELECTS:
            raise AssertionError("selects loaded %d persons, expected %d"
                                 % (loaded, PEOPLE * SELECTS))
        linked = (session.query(func.count(Address.id))
                  .join(Address.person).scalar())
        if linked != PEOPLE:
            raise AssertionError("%d addresses linked to a person, expected %d"
                                 % (linked, PEOPLE))


def teardown(state):
    if state is None:
        return
    engine, session = state
    try:
        session.close()
        engine.dispose()
    except Exception:  # teardown must never raise
        pass
