// Parses Python with tree-sitter and hands the whole tree to JavaScript in one ArrayBuffer, laid
// out as src/analysis/python/node-store.ts reads it. Walking the tree through the Node binding's
// cursor costs one N-API crossing per field per node, which took as long as the parse itself; here
// the walk is a C loop and the only crossings are the call and its result.
//
// The language comes from tree-sitter-python's own binding (its `language` external), so the
// grammar is compiled once, there; this addon carries only tree-sitter's runtime (lib.c).
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tree_sitter/api.h>

// tree-sitter-python's binding tags its language external with this (bindings/node/binding.cc).
static const napi_type_tag LANGUAGE_TYPE_TAG = {0x8AF2E5212AD58ABFULL, 0xD5006CAD83ABBA16ULL};

// node-store.ts's flag bits and its id for ERROR (tree-sitter's 0xFFFF, kept small).
enum { NAMED = 1, MISSING = 2 };
#define NATIVE_ERROR 0xFFFF
#define ERROR_ID 0

// One parser per thread: each worker thread loads the addon into its own environment.
typedef struct {
  TSParser *parser;
} ThreadState;

static void free_state(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  ThreadState *state = data;
  if (state->parser) ts_parser_delete(state->parser);
  free(state);
}

static napi_value fail(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

static const TSLanguage *language_of(napi_env env, napi_value value) {
  bool tagged = false;
  if (napi_check_object_type_tag(env, value, &LANGUAGE_TYPE_TAG, &tagged) != napi_ok || !tagged) return NULL;
  void *language = NULL;
  if (napi_get_value_external(env, value, &language) != napi_ok) return NULL;
  return language;
}

static napi_value string_value(napi_env env, const char *s) {
  napi_value v;
  napi_create_string_utf8(env, s ? s : "", NAPI_AUTO_LENGTH, &v);
  return v;
}

// setLanguage(external): use this grammar on this thread; returns { names, named, fields } with
// one entry per symbol id and per field id, so JavaScript learns every type name once.
static napi_value set_language(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 1) return fail(env, "setLanguage(language) needs tree-sitter-python's language");
  const TSLanguage *language = language_of(env, argv[0]);
  if (!language) return fail(env, "setLanguage: not a tree-sitter language object");
  ThreadState *state = NULL;
  napi_get_instance_data(env, (void **)&state);
  if (!state->parser) state->parser = ts_parser_new();
  if (!ts_parser_set_language(state->parser, language)) return fail(env, "setLanguage: grammar ABI not supported by this tree-sitter runtime");

  uint32_t symbols = ts_language_symbol_count(language);
  uint32_t fields = ts_language_field_count(language);
  napi_value names, named, field_names, result;
  napi_create_array_with_length(env, symbols, &names);
  napi_create_array_with_length(env, symbols, &named);
  napi_create_array_with_length(env, fields + 1, &field_names);
  for (uint32_t id = 0; id < symbols; id++) {
    napi_value flag;
    napi_set_element(env, names, id, string_value(env, ts_language_symbol_name(language, (TSSymbol)id)));
    napi_get_boolean(env, ts_language_symbol_type(language, (TSSymbol)id) == TSSymbolTypeRegular, &flag);
    napi_set_element(env, named, id, flag);
  }
  for (uint32_t id = 0; id <= fields; id++) napi_set_element(env, field_names, id, string_value(env, ts_language_field_name_for_id(language, (TSFieldId)id)));
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "names", names);
  napi_set_named_property(env, result, "named", named);
  napi_set_named_property(env, result, "fields", field_names);
  return result;
}

// Per node i, in pre-order: the columns of node-store.ts's NodeStore, each `capacity` long.
typedef struct {
  int32_t *start, *end, *parent, *first_child, *next_sibling, *last;
  uint16_t *type, *field;
  uint8_t *flags;
} Columns;

static Columns columns_in(uint8_t *base, uint32_t capacity) {
  Columns c;
  c.start = (int32_t *)base;
  c.end = c.start + capacity;
  c.parent = c.end + capacity;
  c.first_child = c.parent + capacity;
  c.next_sibling = c.first_child + capacity;
  c.last = c.next_sibling + capacity;
  c.type = (uint16_t *)(c.last + capacity);
  c.field = c.type + capacity;
  c.flags = (uint8_t *)(c.field + capacity);
  return c;
}

// Pre-order walk. Offsets are UTF-16 units (the parse reads UTF-16, so bytes / 2), as the Node
// binding reports them. Returns the node count, or 0 when the tree outgrows `capacity`.
static uint32_t export_tree(TSTree *tree, Columns c, uint32_t capacity, const uint8_t *named, uint32_t named_len) {
  TSTreeCursor cursor = ts_tree_cursor_new(ts_tree_root_node(tree));
  uint32_t size = 0;
  // The node being left at each depth and the last child added under it; depth 0 is the root.
  uint32_t depth_cap = 256, depth = 0;
  int32_t *open = malloc(depth_cap * sizeof(int32_t));
  int32_t *previous = malloc(depth_cap * sizeof(int32_t));
  bool ok = open && previous;
  while (ok) {
    if (size == capacity) {
      ok = false;
      break;
    }
    TSNode node = ts_tree_cursor_current_node(&cursor);
    TSSymbol symbol = ts_node_symbol(node);
    uint16_t type = symbol == NATIVE_ERROR ? ERROR_ID : symbol;
    uint32_t i = size++;
    int32_t parent = depth == 0 ? -1 : open[depth - 1];
    c.type[i] = type;
    c.flags[i] = (type < named_len && named[type] ? NAMED : 0) | (ts_node_is_missing(node) ? MISSING : 0);
    c.field[i] = depth == 0 ? 0 : ts_tree_cursor_current_field_id(&cursor);
    c.start[i] = (int32_t)(ts_node_start_byte(node) / 2);
    c.end[i] = (int32_t)(ts_node_end_byte(node) / 2);
    c.parent[i] = parent;
    c.first_child[i] = -1;
    c.next_sibling[i] = -1;
    c.last[i] = (int32_t)i;
    if (depth > 0) {
      if (previous[depth - 1] < 0) c.first_child[parent] = (int32_t)i;
      else c.next_sibling[previous[depth - 1]] = (int32_t)i;
      previous[depth - 1] = (int32_t)i;
    }
    if (ts_tree_cursor_goto_first_child(&cursor)) {
      if (depth == depth_cap) {
        depth_cap *= 2;
        int32_t *o = realloc(open, depth_cap * sizeof(int32_t));
        if (o) open = o;
        int32_t *p = o ? realloc(previous, depth_cap * sizeof(int32_t)) : NULL;
        if (p) previous = p;
        if (!o || !p) {
          ok = false;
          break;
        }
      }
      open[depth] = (int32_t)i;
      previous[depth] = -1;
      depth++;
      continue;
    }
    // Leaving nodes: each subtree ends with the last node added.
    while (!ts_tree_cursor_goto_next_sibling(&cursor)) {
      if (depth == 0 || !ts_tree_cursor_goto_parent(&cursor)) goto done;
      depth--;
      c.last[open[depth]] = (int32_t)(size - 1);
    }
  }
done:
  free(open);
  free(previous);
  ts_tree_cursor_delete(&cursor);
  if (!ok) return 0;
  c.last[0] = (int32_t)(size - 1);
  return size;
}

typedef struct {
  const char *bytes;
  uint32_t length;
} TextInput;

static const char *read_text(void *payload, uint32_t byte, TSPoint position, uint32_t *bytes_read) {
  (void)position;
  const TextInput *text = payload;
  if (byte >= text->length) {
    *bytes_read = 0;
    return "";
  }
  *bytes_read = text->length - byte;
  return text->bytes + byte;
}

static double thread_cpu_seconds(void) {
  struct timespec now;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

// tree-sitter asks this now and then while it parses; true cancels. CPU time of this thread, not
// wall time, so a loaded machine does not cut parses short.
static bool over_budget(TSParseState *state) {
  return thread_cpu_seconds() > *(const double *)state->payload;
}

// parse(source, named, budgetSeconds): [buffer, size, hasError]. `named` holds node-store.ts's
// NAMED flag per type id. Error recovery can take time quadratic in the file's length (an unclosed
// bracket at the top of a 1.4 MB file took 12 s, 10 MB would take many minutes): past
// `budgetSeconds` of CPU the parse is given up and the result is "budget". Returns null when the
// tree cannot be exported (the caller then copies it another way).
static napi_value parse(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc < 3) return fail(env, "parse(source, named, budgetSeconds) needs three arguments");
  double budget = 0;
  if (napi_get_value_double(env, argv[2], &budget) != napi_ok || !(budget > 0)) return fail(env, "parse: budgetSeconds must be a positive number");
  ThreadState *state = NULL;
  napi_get_instance_data(env, (void **)&state);
  if (!state->parser || !ts_parser_language(state->parser)) return fail(env, "parse: call setLanguage first");

  napi_typedarray_type array_type;
  size_t named_len = 0;
  void *named = NULL;
  if (napi_get_typedarray_info(env, argv[1], &array_type, &named_len, &named, NULL, NULL) != napi_ok || array_type != napi_uint8_array)
    return fail(env, "parse: named must be a Uint8Array");

  size_t length = 0;
  if (napi_get_value_string_utf16(env, argv[0], NULL, 0, &length) != napi_ok) return fail(env, "parse: source must be a string");
  char16_t *text = malloc((length + 1) * sizeof(char16_t));
  if (!text) return fail(env, "parse: out of memory");
  napi_get_value_string_utf16(env, argv[0], text, length + 1, &length);
  napi_value null_value;
  napi_get_null(env, &null_value);
  if (length > UINT32_MAX / 4) {
    free(text);
    return null_value;
  }

  double deadline = thread_cpu_seconds() + budget;
  TextInput whole = {(const char *)text, (uint32_t)(length * 2)};
  TSInput input = {.payload = &whole, .read = read_text, .encoding = TSInputEncodingUTF16LE, .decode = NULL};
  TSParseOptions options = {.payload = &deadline, .progress_callback = over_budget};
  TSTree *tree = ts_parser_parse_with_options(state->parser, NULL, input, options);
  if (!tree) {
    // Cancelled: a later parse must start afresh, not resume this one.
    ts_parser_reset(state->parser);
    free(text);
    napi_value gave_up;
    napi_create_string_utf8(env, "budget", NAPI_AUTO_LENGTH, &gave_up);
    return gave_up;
  }
  TSNode root = ts_tree_root_node(tree);
  uint32_t capacity = ts_node_descendant_count(root);
  if (capacity == 0) capacity = 1;
  const size_t per_node = 6 * 4 + 2 * 2 + 1;
  void *data = NULL;
  napi_value buffer;
  if (napi_create_arraybuffer(env, (size_t)capacity * per_node, &data, &buffer) != napi_ok) {
    ts_tree_delete(tree);
    free(text);
    return fail(env, "parse: could not allocate the node store");
  }
  uint32_t size = export_tree(tree, columns_in(data, capacity), capacity, named, (uint32_t)named_len);
  bool has_error = ts_node_has_error(root);
  ts_tree_delete(tree);
  free(text);
  if (size == 0) return null_value;

  napi_value result, size_value, error_value;
  napi_create_array_with_length(env, 3, &result);
  napi_create_uint32(env, size, &size_value);
  napi_get_boolean(env, has_error, &error_value);
  napi_set_element(env, result, 0, buffer);
  napi_set_element(env, result, 1, size_value);
  napi_set_element(env, result, 2, error_value);
  return result;
}

// threadCpuMs(): CPU time this thread has used, in milliseconds. Time budgets of the analysis are
// measured with it where it exists, so a loaded machine does not cut an analysis short and results
// do not depend on what else runs (Node itself offers only the whole process's CPU time).
static napi_value thread_cpu_ms(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  napi_create_double(env, thread_cpu_seconds() * 1000.0, &result);
  return result;
}

NAPI_MODULE_INIT() {
  ThreadState *state = calloc(1, sizeof(ThreadState));
  if (!state || napi_set_instance_data(env, state, free_state, NULL) != napi_ok) {
    free(state);
    napi_throw_error(env, NULL, "tree_export: could not set up its per-thread state");
    return NULL;
  }
  napi_property_descriptor methods[] = {
    {"setLanguage", NULL, set_language, NULL, NULL, NULL, napi_default, NULL},
    {"parse", NULL, parse, NULL, NULL, NULL, napi_default, NULL},
    {"threadCpuMs", NULL, thread_cpu_ms, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(methods) / sizeof(methods[0]), methods);
  return exports;
}
