#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "embed/py.h"

#include <string.h>

#include "bench/lib/clock.h"
#include "bench/lib/error.h"
#include "bench/lib/util.h"
#include "embed/sources.h"

#ifndef PY_STDLIB_DIR
#define PY_STDLIB_DIR "/usr/lib/python3.11"
#endif
#ifndef PY_DYNLOAD_DIR
#define PY_DYNLOAD_DIR PY_STDLIB_DIR "/lib-dynload"
#endif
#define PY_DIST_PACKAGES "/usr/lib/python3/dist-packages"

struct py_workload {
	PyObject *module;	/* new ref */
	PyObject *run;		/* new ref */
	PyObject *state;	/* new ref, Py_None until setup() */
	unsigned inner_loops;
};

static const char *workloads_dir;
static const char *cache_dir;

/* A ModuleNotFoundError for a module outside our own `categories` package:
 * a dependency this machine lacks, so the benchmark is skipped, not failed.  */
static int is_missing_dependency(PyObject *type, PyObject *value)
{
	PyObject *name;
	const char *s;
	int missing;

	if (!value || !PyErr_GivenExceptionMatches(type, PyExc_ModuleNotFoundError))
		return 0;
	name = PyObject_GetAttrString(value, "name");				/* new ref */
	s = name && PyUnicode_Check(name) ? PyUnicode_AsUTF8(name) : NULL;
	missing = s && strncmp(s, "categories", 10) != 0;
	Py_XDECREF(name);
	PyErr_Clear();
	return missing;
}

/* The Python exception as a bench_error: the last line of the traceback as
 * the message, the whole traceback as the detail.  Clears the exception.  */
static int error_from_exception(struct bench_error *err, const char *what)
{
	PyObject *type, *value, *tb, *tbmod = NULL, *lines = NULL, *text = NULL;
	PyObject *empty = NULL, *msg = NULL;
	const char *detail, *line;

	PyErr_Fetch(&type, &value, &tb);
	if (!type)
		return bench_error_set(err, 0, "%s: failed without a Python exception", what);
	PyErr_NormalizeException(&type, &value, &tb);
	if (tb && value)
		PyException_SetTraceback(value, tb);
	if (err)
		err->skip = is_missing_dependency(type, value);

	tbmod = PyImport_ImportModule("traceback");				/* new ref */
	if (tbmod)
		lines = PyObject_CallMethod(tbmod, "format_exception", "OOO", type,
					    value ? value : Py_None, tb ? tb : Py_None); /* new ref */
	if (lines && (empty = PyUnicode_FromString("")))			/* new ref */
		text = PyUnicode_Join(empty, lines);				/* new ref */
	msg = value ? PyObject_Str(value) : NULL;				/* new ref */
	PyErr_Clear();

	detail = text ? PyUnicode_AsUTF8(text) : NULL;
	line = msg ? PyUnicode_AsUTF8(msg) : NULL;
	bench_error_set(err, 0, "%s: %s%s%s", what, ((PyTypeObject *)type)->tp_name,
			line && *line ? ": " : "", line ? line : "");
	/* The message is one line: cut at the first newline.  */
	if (err) {
		char *nl = strchr(err->msg, '\n');
		if (nl)
			*nl = '\0';
		if (detail)
			bench_error_set_detail(err, xstrdup(detail));
	}
	PyErr_Clear();
	Py_XDECREF(msg);
	Py_XDECREF(text);
	Py_XDECREF(empty);
	Py_XDECREF(lines);
	Py_XDECREF(tbmod);
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	return -1;
}

/* ---- the built-in `sandbench` module ---- */

static PyObject *sb_clock_ns(PyObject *self, PyObject *unused)
{
	(void)self;
	(void)unused;
	return PyLong_FromUnsignedLongLong(bench_clock_ns());
}

static PyObject *sb_child_command(PyObject *self, PyObject *args)
{
	PyObject *list, *item;
	Py_ssize_t n = PyTuple_GET_SIZE(args);

	(void)self;
	if (n < 1 || !PyUnicode_Check(PyTuple_GET_ITEM(args, 0))) {
		PyErr_SetString(PyExc_TypeError,
				"child_command(name, *args): name must be a str such as \"apps/2to3\"");
		return NULL;
	}
	list = PyList_New(0);							/* new ref */
	if (!list)
		return NULL;
	item = PyUnicode_DecodeFSDefault(util_self_exe());			/* new ref */
	if (!item || PyList_Append(list, item) < 0)
		goto fail;
	Py_DECREF(item);
	item = PyUnicode_FromString("__child");					/* new ref */
	if (!item || PyList_Append(list, item) < 0)
		goto fail;
	Py_DECREF(item);
	if (workloads_dir) {
		/* The child loads the same workload sources as its parent.  */
		item = PyUnicode_FromString("--workloads-dir");			/* new ref */
		if (!item || PyList_Append(list, item) < 0)
			goto fail;
		Py_DECREF(item);
		item = PyUnicode_DecodeFSDefault(workloads_dir);		/* new ref */
		if (!item || PyList_Append(list, item) < 0)
			goto fail;
		Py_DECREF(item);
	}
	for (Py_ssize_t i = 0; i < n; i++) {
		item = PyObject_Str(PyTuple_GET_ITEM(args, i));			/* new ref */
		if (!item || PyList_Append(list, item) < 0)
			goto fail;
		Py_DECREF(item);
	}
	return list;
fail:
	Py_XDECREF(item);
	Py_DECREF(list);
	return NULL;
}

static PyMethodDef sb_methods[] = {
	{ "clock_ns", sb_clock_ns, METH_NOARGS,
	  "clock_ns() -> int: the harness clock (CLOCK_MONOTONIC) in nanoseconds." },
	{ "child_command", sb_child_command, METH_VARARGS,
	  "child_command(name, *args) -> list: argv running child(args) of workload "
	  "`name` in a new process of this binary." },
	{ NULL, NULL, 0, NULL },
};

static struct PyModuleDef sb_module = {
	PyModuleDef_HEAD_INIT, "sandbench",
	"The sandbench harness, seen from a workload.", -1, sb_methods,
	NULL, NULL, NULL, NULL,
};

static PyObject *PyInit_sandbench(void)
{
	PyObject *m, *sources, *v;

	m = PyModule_Create(&sb_module);					/* new ref */
	if (!m)
		return NULL;
	sources = PyDict_New();							/* new ref */
	if (!sources)
		goto fail;
	for (unsigned long i = 0; i < py_sources_len; i++) {
		v = PyBytes_FromStringAndSize((const char *)py_sources[i].data,
					      (Py_ssize_t)py_sources[i].len); /* new ref */
		if (!v || PyDict_SetItemString(sources, py_sources[i].name, v) < 0) {
			Py_XDECREF(v);
			Py_DECREF(sources);
			goto fail;
		}
		Py_DECREF(v);
	}
	if (PyModule_AddObject(m, "_builtin_sources", sources) < 0) {	/* steals on success */
		Py_DECREF(sources);
		goto fail;
	}
	v = workloads_dir ? PyUnicode_DecodeFSDefault(workloads_dir) : Py_NewRef(Py_None);
	if (!v || PyModule_AddObject(m, "workloads_dir", v) < 0) {
		Py_XDECREF(v);
		goto fail;
	}
	if (PyModule_AddStringConstant(m, "executable", util_self_exe()) < 0)
		goto fail;
	v = cache_dir ? PyUnicode_DecodeFSDefault(cache_dir) : Py_NewRef(Py_None);
	if (!v || PyModule_AddObject(m, "cache_dir", v) < 0) {
		Py_XDECREF(v);
		goto fail;
	}
	return m;
fail:
	Py_DECREF(m);
	return NULL;
}

static const struct py_source *find_source(const char *name)
{
	for (unsigned long i = 0; i < py_sources_len; i++)
		if (strcmp(py_sources[i].name, name) == 0)
			return &py_sources[i];
	return NULL;
}

/* Execute a built-in source as a new module registered under modname.  */
static PyObject *exec_builtin(const char *source_name, const char *modname,
			      struct bench_error *err)
{
	const struct py_source *src = find_source(source_name);
	PyObject *code = NULL, *module = NULL;
	cleanup_free char *text = NULL;
	cleanup_free char *filename = NULL;

	if (!src) {
		bench_error_set(err, 0, "no built-in source `%s`", source_name);
		return NULL;
	}
	text = xmalloc(src->len + 1);
	memcpy(text, src->data, src->len);
	text[src->len] = '\0';
	filename = xasprintf("%s.py", source_name);
	code = Py_CompileString(text, filename, Py_file_input);		/* new ref */
	if (code)
		module = PyImport_ExecCodeModule(modname, code);		/* new ref */
	Py_XDECREF(code);
	if (!module)
		error_from_exception(err, source_name);
	return module;
}

static int status_error(PyStatus status, struct bench_error *err)
{
	return bench_error_set(err, 0, "initialise Python: %s%s%s",
			       status.func ? status.func : "",
			       status.func ? ": " : "",
			       status.err_msg ? status.err_msg : "unknown error");
}

static int append_path(PyConfig *config, const char *path)
{
	wchar_t *w = Py_DecodeLocale(path, NULL);
	PyStatus status;

	if (!w)
		return -1;
	status = PyWideStringList_Append(&config->module_search_paths, w);
	PyMem_RawFree(w);
	return PyStatus_Exception(status) ? -1 : 0;
}

int py_init(const struct py_options *opts, struct bench_error *err)
{
	static const char *const paths[] = { PY_STDLIB_DIR, PY_DYNLOAD_DIR, PY_DIST_PACKAGES };
	PyConfig config;
	PyStatus status;
	PyObject *finder;
	int rc = -1;

	workloads_dir = opts->workloads_dir;
	cache_dir = opts->cache_dir;
	if (PyImport_AppendInittab("sandbench", PyInit_sandbench) < 0)
		return bench_error_set(err, 0, "initialise Python: cannot add module `sandbench`");

	PyConfig_InitIsolatedConfig(&config);
	config.site_import = opts->site;
	config.install_signal_handlers = 0;	/* a worker dies on SIGINT, as it should */
	if (opts->hash_seed >= 0) {
		config.use_hash_seed = 1;
		config.hash_seed = (unsigned long)opts->hash_seed;
	}
	status = PyConfig_SetBytesString(&config, &config.program_name, util_self_exe());
	if (PyStatus_Exception(status))
		goto status_fail;
	status = PyConfig_SetBytesString(&config, &config.home, PY_PREFIX);
	if (PyStatus_Exception(status))
		goto status_fail;
	config.module_search_paths_set = 1;
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		if (append_path(&config, paths[i]) < 0) {
			bench_error_set(err, 0, "initialise Python: bad path `%s`", paths[i]);
			goto done;
		}
	}
	status = Py_InitializeFromConfig(&config);
	if (PyStatus_Exception(status))
		goto status_fail;

	if (opts->bare) {
		rc = 0;
		goto done;
	}
	finder = exec_builtin("embed/finder", "_sandbench_finder", err);	/* new ref */
	if (!finder)
		goto done;
	Py_DECREF(finder);
	rc = 0;
	goto done;
status_fail:
	status_error(status, err);
done:
	PyConfig_Clear(&config);
	return rc;
}

/* "math/nbody" -> "categories.math.nbody", owned by the caller.  */
static char *module_name(const char *module)
{
	char *name = xasprintf("categories.%s", module);
	for (char *p = name; *p; p++)
		if (*p == '/')
			*p = '.';
	return name;
}

int py_call_bytes(const char *module, const char *func, char **out, size_t *len,
		  struct bench_error *err)
{
	cleanup_free char *name = module_name(module);
	PyObject *mod, *result = NULL, *bytes = NULL;
	char *data;
	Py_ssize_t n;
	int rc = -1;

	if (!Py_IsInitialized())
		return bench_error_set(err, 0, "%s.%s(): Python is not started (a native twin "
				       "declares needs_python)", module, func);
	mod = PyImport_ImportModule(name);					/* new ref */
	if (mod)
		result = PyObject_CallMethod(mod, func, NULL);			/* new ref */
	if (result && PyUnicode_Check(result))
		bytes = PyUnicode_AsUTF8String(result);				/* new ref */
	else if (result && PyBytes_Check(result))
		bytes = Py_NewRef(result);
	else if (result)
		PyErr_Format(PyExc_TypeError, "%s.%s() must return bytes or str, not %s",
			     module, func, Py_TYPE(result)->tp_name);
	if (!bytes) {
		error_from_exception(err, module);
		goto out;
	}
	PyBytes_AsStringAndSize(bytes, &data, &n);
	*out = xmalloc((size_t)n + 1);
	memcpy(*out, data, (size_t)n);
	(*out)[n] = '\0';
	if (len)
		*len = (size_t)n;
	rc = 0;
out:
	Py_XDECREF(bytes);
	Py_XDECREF(result);
	Py_XDECREF(mod);
	return rc;
}

int py_finalize(struct bench_error *err)
{
	if (!Py_IsInitialized())
		return 0;
	if (Py_FinalizeEx() < 0)
		return bench_error_set(err, 0, "finalise Python: flushing buffered data failed");
	return 0;
}

pid_t py_fork(void)
{
	pid_t pid;

	if (!Py_IsInitialized())
		return fork();
	PyOS_BeforeFork();
	pid = fork();
	if (pid == 0)
		PyOS_AfterFork_Child();
	else
		PyOS_AfterFork_Parent();
	return pid;
}

int py_workload_load(const char *module, struct py_workload **out,
		     struct bench_error *err)
{
	struct py_workload *w = xcalloc(1, sizeof(*w));
	PyObject *inner;
	cleanup_free char *modname = NULL;

	if (strncmp(module, "embed/", 6) == 0) {
		cleanup_free char *name = xasprintf("_sandbench_%s", module + 6);
		w->module = exec_builtin(module, name, err);			/* new ref */
	} else {
		modname = module_name(module);
		w->module = PyImport_ImportModule(modname);			/* new ref */
		if (!w->module)
			error_from_exception(err, module);
	}
	if (!w->module)
		goto fail;
	w->run = PyObject_GetAttrString(w->module, "run");			/* new ref */
	if (!w->run || !PyCallable_Check(w->run)) {
		PyErr_Clear();
		bench_error_set(err, 0, "%s: the workload defines no run(state, loops)", module);
		goto fail;
	}
	w->state = Py_NewRef(Py_None);
	w->inner_loops = 1;
	inner = PyObject_GetAttrString(w->module, "INNER_LOOPS");		/* new ref */
	if (inner) {
		long v = PyLong_AsLong(inner);
		Py_DECREF(inner);
		if (v < 1 || v > 1000000000) {
			PyErr_Clear();
			bench_error_set(err, 0, "%s: INNER_LOOPS must be an int from 1 to 1e9", module);
			goto fail;
		}
		w->inner_loops = (unsigned)v;
	}
	PyErr_Clear();
	*out = w;
	return 0;
fail:
	Py_CLEAR(w->run);
	Py_CLEAR(w->module);
	Py_CLEAR(w->state);
	free(w);
	return -1;
}

int py_workload_set_string(struct py_workload *w, const char *name,
			   const char *value, struct bench_error *err)
{
	PyObject *v = PyUnicode_FromString(value);				/* new ref */
	int rc = v ? PyObject_SetAttrString(w->module, name, v) : -1;

	Py_XDECREF(v);
	if (rc < 0)
		return error_from_exception(err, name);
	return 0;
}

unsigned py_workload_inner_loops(const struct py_workload *w)
{
	return w->inner_loops;
}

int py_workload_setup(struct py_workload *w, struct bench_error *err)
{
	PyObject *state = PyObject_CallMethod(w->module, "setup", NULL);	/* new ref */

	if (!state)
		return error_from_exception(err, "setup()");
	Py_SETREF(w->state, state);
	return 0;
}

int py_workload_run(struct py_workload *w, uint64_t loops, uint64_t *elapsed_ns,
		    struct bench_error *err)
{
	PyObject *args, *result;
	uint64_t t0, t1;

	args = Py_BuildValue("(OK)", w->state, (unsigned long long)loops);	/* new ref */
	if (!args)
		return error_from_exception(err, "run()");
	t0 = bench_clock_ns();
	result = PyObject_Call(w->run, args, NULL);				/* new ref */
	t1 = bench_clock_ns();
	Py_DECREF(args);
	if (!result)
		return error_from_exception(err, "run()");
	*elapsed_ns = t1 - t0;
	if (PyLong_Check(result)) {
		long long ns = PyLong_AsLongLong(result);
		if (ns <= 0 || PyErr_Occurred()) {
			PyErr_Clear();
			Py_DECREF(result);
			return bench_error_set(err, 0, "run() returned %lld ns: must be a positive int or None", ns);
		}
		*elapsed_ns = (uint64_t)ns;
	} else if (result != Py_None) {
		Py_DECREF(result);
		return bench_error_set(err, 0, "run() returned a %s: must be an int of nanoseconds or None",
				       Py_TYPE(result)->tp_name);
	}
	Py_DECREF(result);
	return 0;
}

void py_workload_free(struct py_workload *w)
{
	PyObject *teardown, *r;

	if (!w)
		return;
	teardown = PyObject_GetAttrString(w->module, "teardown");		/* new ref */
	if (teardown) {
		r = PyObject_CallOneArg(teardown, w->state);			/* new ref */
		if (!r)
			PyErr_Print();	/* cannot fail the benchmark: its values stand */
		Py_XDECREF(r);
		Py_DECREF(teardown);
	}
	PyErr_Clear();
	Py_CLEAR(w->state);
	Py_CLEAR(w->run);
	Py_CLEAR(w->module);
	free(w);
}

int py_run_string(const char *code, struct bench_error *err)
{
	if (PyRun_SimpleString(code) < 0)
		return bench_error_set(err, 0, "python code raised an exception");
	return 0;
}

/* Exit status from a SystemExit exception (clears it).  */
static int system_exit_status(void)
{
	PyObject *type, *value, *tb, *code;
	int status = 1;

	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	code = value ? PyObject_GetAttrString(value, "code") : NULL;		/* new ref */
	if (!code || code == Py_None)
		status = 0;
	else if (PyLong_Check(code))
		status = (int)PyLong_AsLong(code);
	else {
		PyObject_Print(code, stderr, Py_PRINT_RAW);
		fputc('\n', stderr);
	}
	PyErr_Clear();
	Py_XDECREF(code);
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	return status;
}

int py_child_main(const struct py_options *opts, const char *module,
		  int argc, char **argv)
{
	struct bench_error err = { 0 };
	PyObject *mod = NULL, *child = NULL, *args = NULL, *r = NULL;
	cleanup_free char *modname = module_name(module);
	int status = 1;

	if (py_init(opts, &err) < 0)
		goto out;
	mod = PyImport_ImportModule(modname);					/* new ref */
	if (mod)
		child = PyObject_GetAttrString(mod, "child");			/* new ref */
	if (child) {
		args = PyList_New(0);						/* new ref */
		for (int i = 0; args && i < argc; i++) {
			PyObject *a = PyUnicode_DecodeFSDefault(argv[i]);	/* new ref */
			if (!a || PyList_Append(args, a) < 0) {
				Py_XDECREF(a);
				Py_CLEAR(args);
				break;
			}
			Py_DECREF(a);
		}
	}
	if (args)
		r = PyObject_CallOneArg(child, args);				/* new ref */
	if (r)
		status = 0;
	else if (PyErr_ExceptionMatches(PyExc_SystemExit))
		status = system_exit_status();
	else
		error_from_exception(&err, module);
	Py_XDECREF(r);
	Py_XDECREF(args);
	Py_XDECREF(child);
	Py_XDECREF(mod);
	if (py_finalize(&err) < 0 && status == 0)
		status = 1;
out:
	if (err.msg[0]) {
		fprintf(stderr, "sandbench: child `%s`: %s\n%s", module, err.msg,
			err.detail ? err.detail : "");
		status = status ? status : 1;
	}
	bench_error_release(&err);
	return status;
}

const char *py_version(void)
{
	return PY_VERSION;
}

const char *py_version_full(void)
{
	return Py_GetVersion();
}
