"""Walk the history of an on-disk git repository with dulwich.

setup() builds a repository with dulwich (python3-dulwich) in a temporary
folder: 700 commits over 20 text files, every twentieth one merging a short
side branch, with seeded content and fixed timestamps. Objects are stored
loose, as `git commit` leaves them, about 2 MB in all. Each iteration walks
every commit reachable from HEAD with Repo.get_walker(), reading each
commit's metadata, and checks the count and that the walk ends at the root.
"""
import os
import random
import shutil
import tempfile

import sandbench
from dulwich.objects import Blob, Commit, Tree
from dulwich.repo import Repo

SEED = 1
COMMITS = 700
FILES = 20
LINES_PER_FILE = 30
# Commits 5..9 of every 20 go to a side branch that commit 19 merges.
CYCLE = 20
SIDE_START, SIDE_END = 5, 10
IDENTITY = b"Sandbench <bench@example.org>"
EPOCH = 1_600_000_000


def store_loose(objects_dir, obj):
    """Write `obj` as a loose object file. dulwich's own add_object() also
    takes a lock file and fsyncs each object, which makes setup several
    times slower without changing what the walk reads."""
    hex_id = obj.id.decode()
    folder = os.path.join(objects_dir, hex_id[:2])
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, hex_id[2:]), "wb") as f:
        f.write(obj.as_legacy_object())


def build_repository(path, rng):
    repo = Repo.init(path)
    objects_dir = os.path.join(repo.controldir(), "objects")
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz")
                     for _ in range(rng.randint(2, 9)))
             for _ in range(2000)]

    def line():
        return " ".join(rng.choices(words, k=10))

    names = [b"file%02d.txt" % i for i in range(FILES)]
    contents = {name: [line() for _ in range(LINES_PER_FILE)]
                for name in names}
    blob_ids = {}

    def store_blob(name):
        blob = Blob.from_string(("\n".join(contents[name]) + "\n").encode())
        store_loose(objects_dir, blob)
        blob_ids[name] = blob.id

    for name in names:
        store_blob(name)
    main = side = None
    for number in range(COMMITS):
        # Each commit rewrites a few lines in two files.
        for name in rng.sample(names, 2):
            lines = contents[name]
            for _ in range(4):
                lines[rng.randrange(len(lines))] = line()
            store_blob(name)
        tree = Tree()
        for name in names:
            tree.add(name, 0o100644, blob_ids[name])
        store_loose(objects_dir, tree)

        phase = number % CYCLE
        if phase == SIDE_START:
            side = main
        if SIDE_START <= phase < SIDE_END:
            parents = [side]
        elif phase == CYCLE - 1:
            parents = [main, side]
        else:
            parents = [main] if main else []

        commit = Commit()
        commit.tree = tree.id
        commit.parents = parents
        commit.author = commit.committer = IDENTITY
        commit.author_time = commit.commit_time = EPOCH + 3600 * number
        commit.author_timezone = commit.commit_timezone = 0
        commit.encoding = b"UTF-8"
        commit.message = ("Change %d\n\n%s\n" % (
            number, " ".join(rng.choices(words, k=30)))).encode()
        store_loose(objects_dir, commit)
        if SIDE_START <= phase < SIDE_END:
            side = commit.id
        else:
            main = commit.id
    repo.refs[b"refs/heads/master"] = main
    return repo


def setup():
    # The repository is the same in every process: the first one builds it
    # in the benchmark's cache folder, the others open it.
    if sandbench.cache_dir is not None:
        folder = os.path.join(sandbench.cache_dir, "dulwich_log")
        if not os.path.isdir(folder):
            building = tempfile.mkdtemp(prefix="repo-", dir=sandbench.cache_dir)
            build_repository(building, random.Random(SEED)).close()
            os.rename(building, folder)
        return None, Repo(folder)
    folder = tempfile.mkdtemp(prefix="sandbench-")
    try:
        build_repository(folder, random.Random(SEED)).close()
        return folder, Repo(folder)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def run(state, loops):
    _, repo = state
    for _ in range(loops):
        count = 0
        for entry in repo.get_walker():
            commit = entry.commit
            # Touch what `git log` prints.
            last = (commit.author, commit.commit_time, commit.message,
                    commit.parents)
            count += 1
        if count != COMMITS or last[3]:
            raise AssertionError("dulwich_log: walked %d commits ending at "
                                 "one with %d parents, expected %d ending at "
                                 "the root" % (count, len(last[3]), COMMITS))


def teardown(state):
    if state is None:
        return
    folder, repo = state
    try:
        repo.close()
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
