"""SQLAlchemy Core (Tables, insert() and select()) over in-memory SQLite.

The same work as sqlalchemy_declarative without the ORM: each loop deletes
every row, inserts 100 persons and one address per person, each insert in
its own committed transaction, then runs 100 selects of all persons.
Written against SQLAlchemy 1.4 (Debian python3-sqlalchemy).
"""
from sqlalchemy import (Column, ForeignKey, Integer, MetaData, String, Table,
                        create_engine, delete, func, insert, select)
from sqlalchemy.pool import StaticPool

PEOPLE = 100
SELECTS = 100

metadata = MetaData()

person = Table(
    "person", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(250), nullable=False),
)

address = Table(
    "address", metadata,
    Column("id", Integer, primary_key=True),
    Column("street_name", String(250)),
    Column("street_number", String(250)),
    Column("post_code", String(250), nullable=False),
    Column("person_id", Integer, ForeignKey("person.id")),
)


def setup():
    # One shared connection: an in-memory database lives and dies with it.
    engine = create_engine("sqlite://", future=True, poolclass=StaticPool,
                           connect_args={"check_same_thread": False})
    metadata.create_all(engine)
    return engine


def run(state, loops):
    engine = state
    add_person = insert(person)
    add_address = insert(address)
    all_persons = select(person)
    for _ in range(loops):
        with engine.begin() as conn:
            conn.execute(delete(address))
            conn.execute(delete(person))

        for i in range(PEOPLE):
            with engine.begin() as conn:
                result = conn.execute(add_person, {"name": "person %d" % i})
                person_id = result.inserted_primary_key[0]
            with engine.begin() as conn:
                conn.execute(add_address, {
                    "street_name": "street %d" % i,
                    "street_number": str(i + 1),
                    "post_code": "%05d" % i,
                    "person_id": person_id,
                })

        loaded = 0
        with engine.connect() as conn:
            for _ in range(SELECTS):
                loaded += len(conn.execute(all_persons).all())
            linked = conn.execute(
                select(func.count(address.c.id))
                .join_from(address, person)).scalar_one()

        if loaded != PEOPLE * SELECTS:
            raise AssertionError("selects returned %d rows, expected %d"
                                 % (loaded, PEOPLE * SELECTS))
        if linked != PEOPLE:
            raise AssertionError("%d addresses linked to a person, expected %d"
                                 % (linked, PEOPLE))


def teardown(state):
    if state is not None:
        try:
            state.dispose()
        except Exception:  # teardown must never raise
            pass
