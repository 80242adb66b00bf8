/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Constraint expressions of parameter studies ("constraint = $x <= $n"),
 * parsed once into a tree and evaluated for every combination of
 * iteration variables.
 *
 * Grammar, loosest first (C's precedence; comparisons do not chain):
 *
 *	or      := and { "||" and }
 *	and     := cmp { "&&" cmp }
 *	cmp     := sum [ ("<" | "<=" | ">" | ">=" | "==" | "!=") sum ]
 *	sum     := product { ("+" | "-") product }
 *	product := unary { ("*" | "/") unary }
 *	unary   := ("-" | "+" | "!") unary | primary
 *	primary := NUMBER [UNIT] | "text" | 'text' | $NAME | ${NAME}
 *		 | "(" or ")"
 *
 * Values are numbers (doubles) or text.  A number may carry a unit: times
 * become ns and sizes bytes (units.h), so "$lat < 1ms" compares in ns; no
 * dimension is checked.  A variable's value is a number if it reads as
 * one that way ("4", "80us", "4KiB"), else text ("once").  Text may only
 * be compared with == and != to text.  A truth value is a number, true if
 * not zero; comparisons and logic give 1 or 0; && and || short-circuit.
 * Text in quotes has no escapes.
 *
 * Limits, so that no input can exhaust the stack: parentheses and prefix
 * operators nest at most SIM_EXPR_MAX_DEPTH deep (a parse error beyond);
 * chains of one operator ("$a + $b + ... ") may be as long as the text,
 * since they are parsed and evaluated in loops, not by recursion.  A
 * result that overflows to infinity is an evaluation error, so that no
 * NaN ever reaches a comparison (where it would compare false, and its
 * negation true, whatever the values).
 *
 * Trees are immutable after parsing: one may be evaluated from several
 * threads at once.
 */
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include "sim/config/expr.h"
#include "sim/core/units.h"

enum node_op {
	N_NUM, N_STR, N_VAR,
	N_NEG, N_NOT,
	N_ADD, N_SUB, N_MUL, N_DIV,
	N_LT, N_LE, N_GT, N_GE, N_EQ, N_NE,
	N_AND, N_OR,
};

struct node {
	enum node_op op;
	double num;		/* N_NUM */
	char *str;		/* N_STR text, N_VAR name */
	struct node *a, *b;
};

struct sim_expr {
	char *text;
	struct node *root;
	GPtrArray *vars;	/* char *, NULL-terminated */
};

struct parser {
	const char *text;
	const char *p;
	struct sim_expr *e;
	GHashTable *var_set;	/* the names in e->vars */
	guint depth;		/* parentheses and prefix operators open */
	GError **error;
};

/*
 * Free a tree of any shape without recursion.  The nodes still to free
 * form a list linked through ->a: a node's left child already follows
 * it, and its right subtree is spliced in ahead of the rest (the whole
 * left spine of it, whose last node gets the rest as its ->a).  Each node
 * is walked once.
 */
static void node_free(struct node *n)
{
	while (n != NULL) {
		struct node *next = n->a;

		if (n->b != NULL) {
			struct node *last = n->b;

			while (last->a != NULL)
				last = last->a;
			last->a = next;
			next = n->b;
		}
		g_free(n->str);
		g_free(n);
		n = next;
	}
}

static struct node *node_new(enum node_op op, struct node *a, struct node *b)
{
	struct node *n = g_new0(struct node, 1);

	n->op = op;
	n->a = a;
	n->b = b;
	return n;
}

gboolean sim_expr_number(const char *text, double *out)
{
	return sim_parse_double(text, out, NULL) ||
	       sim_parse_time_double(text, out, NULL) ||
	       sim_parse_size_double(text, out, NULL);
}

/* ---------------------------------------------------------------------- */
/* Parsing */

/* Constraints are quoted in messages up to this many bytes. */
#define EXCERPT_MAX	60

char *sim_expr_excerpt(const char *text)
{
	const char *cut = text + EXCERPT_MAX - 3;

	if (strlen(text) <= EXCERPT_MAX)
		return g_strdup(text);
	/* Not inside a UTF-8 sequence. */
	while (cut > text && ((guchar)*cut & 0xc0) == 0x80)
		cut--;
	return g_strdup_printf("%.*s...", (int)(cut - text), text);
}

static char *excerpt_n(const char *text, gsize len)
{
	g_autofree char *copy = g_strndup(text, len);

	return sim_expr_excerpt(copy);
}

/* The bytes of the character at @p: a whole UTF-8 sequence, or one byte
 * of text that is not UTF-8. */
static int char_len(const char *p)
{
	gunichar c = g_utf8_get_char_validated(p, -1);

	if (c == (gunichar)-1 || c == (gunichar)-2)
		return 1;
	return (int)(g_utf8_next_char(p) - p);
}

static void G_GNUC_PRINTF(3, 4)
syntax_error(struct parser *P, const char *at, const char *fmt, ...)
{
	g_autofree char *msg = NULL, *text = sim_expr_excerpt(P->text);
	va_list ap;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (*at == '\0')
		g_set_error(P->error, SIM_ERROR, SIM_ERROR_PARSE,
			    "bad constraint '%s': at the end: %s", text, msg);
	else
		g_set_error(P->error, SIM_ERROR, SIM_ERROR_PARSE,
			    "bad constraint '%s': at column %ld: %s", text,
			    (long)(at - P->text) + 1, msg);
}

/* One more level of nesting ('(' or a prefix operator at @at); FALSE and
 * an error past SIM_EXPR_MAX_DEPTH. */
static gboolean nest(struct parser *P, const char *at)
{
	if (P->depth < SIM_EXPR_MAX_DEPTH) {
		P->depth++;
		return TRUE;
	}
	syntax_error(P, at, "nested more than %d deep (parentheses and "
		     "prefix operators)", SIM_EXPR_MAX_DEPTH);
	return FALSE;
}

static void skip_space(struct parser *P)
{
	while (g_ascii_isspace(*P->p))
		P->p++;
}

static gboolean ident_start(char c)
{
	return g_ascii_isalpha(c) || c == '_';
}

static gboolean ident_char(char c)
{
	return g_ascii_isalnum(c) || c == '_';
}

static void add_var(struct parser *P, const char *name)
{
	struct sim_expr *e = P->e;
	char *copy;

	if (g_hash_table_contains(P->var_set, name))
		return;
	/* Keep the terminating NULL last. */
	copy = g_strdup(name);
	e->vars->pdata[e->vars->len - 1] = copy;
	g_ptr_array_add(e->vars, NULL);
	g_hash_table_add(P->var_set, copy);
}

static struct node *parse_or(struct parser *P);

static struct node *parse_var(struct parser *P)
{
	const char *start = P->p;
	gboolean braced;
	struct node *n;

	P->p++;				/* '$' */
	braced = *P->p == '{';
	if (braced) {
		P->p++;
		skip_space(P);
	}
	if (!ident_start(*P->p)) {
		syntax_error(P, P->p, "expected a variable name after '%s'",
			     braced ? "${" : "$");
		return NULL;
	}
	start = P->p;
	while (ident_char(*P->p))
		P->p++;
	n = node_new(N_VAR, NULL, NULL);
	n->str = g_strndup(start, (gsize)(P->p - start));
	if (braced) {
		skip_space(P);
		if (*P->p != '}') {
			syntax_error(P, P->p, "expected '}'");
			node_free(n);
			return NULL;
		}
		P->p++;
	}
	add_var(P, n->str);
	return n;
}

static struct node *parse_number(struct parser *P)
{
	const char *start = P->p;
	g_autofree char *tok = NULL;
	struct node *n;
	double v;

	while (g_ascii_isdigit(*P->p) || *P->p == '.')
		P->p++;
	if ((*P->p == 'e' || *P->p == 'E') &&
	    (g_ascii_isdigit(P->p[1]) ||
	     ((P->p[1] == '+' || P->p[1] == '-') && g_ascii_isdigit(P->p[2])))) {
		P->p += 2;
		while (g_ascii_isdigit(*P->p))
			P->p++;
	}
	/* A unit: letters, and the bytes of "µs". */
	while (g_ascii_isalpha(*P->p) || (guchar)*P->p >= 0x80)
		P->p++;
	tok = g_strndup(start, (gsize)(P->p - start));
	if (!sim_expr_number(tok, &v)) {
		g_autofree char *shown = sim_expr_excerpt(tok);

		syntax_error(P, start, "bad number '%s'", shown);
		return NULL;
	}
	n = node_new(N_NUM, NULL, NULL);
	n->num = v;
	return n;
}

static struct node *parse_primary(struct parser *P)
{
	const char *start;
	struct node *n;
	char quote;

	skip_space(P);
	start = P->p;
	switch (*P->p) {
	case '\0':
		syntax_error(P, P->p, "expected a value");
		return NULL;
	case '(':
		if (!nest(P, P->p))
			return NULL;
		P->p++;
		n = parse_or(P);
		if (n == NULL)
			return NULL;
		skip_space(P);
		if (*P->p != ')') {
			syntax_error(P, P->p, "expected ')'");
			node_free(n);
			return NULL;
		}
		P->p++;
		P->depth--;
		return n;
	case '$':
		return parse_var(P);
	case '"':
	case '\'':
		quote = *P->p++;
		while (*P->p != '\0' && *P->p != quote)
			P->p++;
		if (*P->p == '\0') {
			syntax_error(P, start, "unterminated text");
			return NULL;
		}
		n = node_new(N_STR, NULL, NULL);
		n->str = g_strndup(start + 1, (gsize)(P->p - start - 1));
		P->p++;
		return n;
	default:
		break;
	}
	if (g_ascii_isdigit(*P->p) || *P->p == '.')
		return parse_number(P);
	if (ident_start(*P->p)) {
		g_autofree char *word = NULL;

		while (ident_char(*P->p))
			P->p++;
		word = excerpt_n(start, (gsize)(P->p - start));
		syntax_error(P, start, "'%s' is not a value; write variables "
			     "as $%s and text in quotes", word, word);
		return NULL;
	}
	syntax_error(P, P->p, "unexpected '%.*s'", char_len(P->p), P->p);
	return NULL;
}

/* Prefix operators, read in a loop and applied innermost first; each
 * counts as one level of nesting. */
static struct node *parse_unary(struct parser *P)
{
	g_autoptr(GString) ops = g_string_new(NULL);
	struct node *n;

	for (;;) {
		char c;

		skip_space(P);
		c = *P->p;
		if (c != '-' && c != '+' && c != '!')
			break;
		if (!nest(P, P->p))
			return NULL;
		g_string_append_c(ops, c);
		P->p++;
	}
	n = parse_primary(P);
	for (gsize i = ops->len; n != NULL && i-- > 0;) {
		if (ops->str[i] != '+')
			n = node_new(ops->str[i] == '-' ? N_NEG : N_NOT, n,
				     NULL);
	}
	P->depth -= (guint)ops->len;
	return n;
}

static struct node *parse_product(struct parser *P)
{
	struct node *n = parse_unary(P), *m;
	char c;

	while (n != NULL) {
		skip_space(P);
		c = *P->p;
		if (c != '*' && c != '/')
			break;
		P->p++;
		m = parse_unary(P);
		if (m == NULL) {
			node_free(n);
			return NULL;
		}
		n = node_new(c == '*' ? N_MUL : N_DIV, n, m);
	}
	return n;
}

static struct node *parse_sum(struct parser *P)
{
	struct node *n = parse_product(P), *m;
	char c;

	while (n != NULL) {
		skip_space(P);
		c = *P->p;
		if (c != '+' && c != '-')
			break;
		P->p++;
		m = parse_product(P);
		if (m == NULL) {
			node_free(n);
			return NULL;
		}
		n = node_new(c == '+' ? N_ADD : N_SUB, n, m);
	}
	return n;
}

/* The comparison operator at P->p, its length in *len; -1 if none. */
static int cmp_op(const char *p, int *len)
{
	*len = 2;
	if (p[0] == '<' && p[1] == '=')
		return N_LE;
	if (p[0] == '>' && p[1] == '=')
		return N_GE;
	if (p[0] == '=' && p[1] == '=')
		return N_EQ;
	if (p[0] == '!' && p[1] == '=')
		return N_NE;
	*len = 1;
	if (p[0] == '<')
		return N_LT;
	if (p[0] == '>')
		return N_GT;
	return -1;
}

static struct node *parse_cmp(struct parser *P)
{
	struct node *n = parse_sum(P), *m;
	int op, len;

	if (n == NULL)
		return NULL;
	skip_space(P);
	if (P->p[0] == '=' && P->p[1] != '=') {
		syntax_error(P, P->p, "'=' is not an operator; compare with "
			     "'=='");
		node_free(n);
		return NULL;
	}
	op = cmp_op(P->p, &len);
	if (op < 0)
		return n;
	P->p += len;
	m = parse_sum(P);
	if (m == NULL) {
		node_free(n);
		return NULL;
	}
	n = node_new((enum node_op)op, n, m);
	skip_space(P);
	if (cmp_op(P->p, &len) >= 0) {
		syntax_error(P, P->p, "comparisons do not chain; join them "
			     "with '&&'");
		node_free(n);
		return NULL;
	}
	return n;
}

/* One level of && or ||: @c is '&' or '|'. */
static struct node *parse_logic(struct parser *P, char c,
				struct node *(*sub)(struct parser *),
				enum node_op op)
{
	struct node *n = sub(P), *m;

	while (n != NULL) {
		skip_space(P);
		if (P->p[0] != c)
			break;
		if (P->p[1] != c) {
			syntax_error(P, P->p, "expected '%c%c'", c, c);
			node_free(n);
			return NULL;
		}
		P->p += 2;
		m = sub(P);
		if (m == NULL) {
			node_free(n);
			return NULL;
		}
		n = node_new(op, n, m);
	}
	return n;
}

static struct node *parse_and(struct parser *P)
{
	return parse_logic(P, '&', parse_cmp, N_AND);
}

static struct node *parse_or(struct parser *P)
{
	return parse_logic(P, '|', parse_and, N_OR);
}

struct sim_expr *sim_expr_parse(const char *text, GError **error)
{
	struct sim_expr *e = g_new0(struct sim_expr, 1);
	struct parser P = { .text = text, .p = text, .e = e, .error = error };

	e->text = g_strdup(text);
	e->vars = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(e->vars, NULL);
	P.var_set = g_hash_table_new(g_str_hash, g_str_equal);
	e->root = parse_or(&P);
	g_hash_table_unref(P.var_set);
	if (e->root != NULL) {
		skip_space(&P);
		if (*P.p == ')')
			syntax_error(&P, P.p, "unbalanced ')'");
		else if (*P.p != '\0') {
			g_autofree char *rest = sim_expr_excerpt(P.p);

			syntax_error(&P, P.p, "unexpected '%s'", rest);
		}
		if (*P.p != '\0') {
			sim_expr_free(e);
			return NULL;
		}
	}
	if (e->root == NULL) {
		sim_expr_free(e);
		return NULL;
	}
	return e;
}

void sim_expr_free(struct sim_expr *e)
{
	if (e == NULL)
		return;
	node_free(e->root);
	g_ptr_array_unref(e->vars);
	g_free(e->text);
	g_free(e);
}

const char *const *sim_expr_vars(const struct sim_expr *e)
{
	return (const char *const *)e->vars->pdata;
}

/* ---------------------------------------------------------------------- */
/* Evaluation */

struct val {
	gboolean is_num;
	double num;
	const char *str;
};

struct eval_ctx {
	sim_expr_lookup_fn *lookup;
	void *data;
	GError **error;
};

static gboolean eval(const struct node *n, struct eval_ctx *C,
		     struct val *out);

static gboolean need_num(const struct val *v, const char *what,
			 struct eval_ctx *C)
{
	if (v->is_num)
		return TRUE;
	g_set_error(C->error, SIM_ERROR, SIM_ERROR_RANGE,
		    "text '%s' %s", v->str, what);
	return FALSE;
}

static gboolean truth(const struct node *n, struct eval_ctx *C,
		      gboolean *out)
{
	struct val v;

	if (!eval(n, C, &v) || !need_num(&v, "is not a truth value", C))
		return FALSE;
	*out = v.num != 0;
	return TRUE;
}

static gboolean compare(enum node_op op, const struct val *a,
			const struct val *b, struct eval_ctx *C, double *out)
{
	int c;

	if (a->is_num != b->is_num) {
		const struct val *t = a->is_num ? b : a;

		g_set_error(C->error, SIM_ERROR, SIM_ERROR_RANGE,
			    "cannot compare text '%s' with a number", t->str);
		return FALSE;
	}
	if (a->is_num) {
		c = (a->num > b->num) - (a->num < b->num);
	} else {
		if (op != N_EQ && op != N_NE) {
			g_set_error(C->error, SIM_ERROR, SIM_ERROR_RANGE,
				    "text '%s' can only be compared with == "
				    "and !=", a->str);
			return FALSE;
		}
		c = strcmp(a->str, b->str);
	}
	switch (op) {
	case N_LT:
		*out = c < 0;
		break;
	case N_LE:
		*out = c <= 0;
		break;
	case N_GT:
		*out = c > 0;
		break;
	case N_GE:
		*out = c >= 0;
		break;
	case N_EQ:
		*out = c == 0;
		break;
	case N_NE:
	default:
		*out = c != 0;
		break;
	}
	return TRUE;
}

/* The precedence level of a binary operator: the operators a chain like
 * "a + b - c" or "a && b && c" is made of.  0 for the others. */
static int chain_level(enum node_op op)
{
	switch (op) {
	case N_ADD:
	case N_SUB:
		return 1;
	case N_MUL:
	case N_DIV:
		return 2;
	case N_AND:
		return 3;
	case N_OR:
		return 4;
	default:
		return 0;
	}
}

/* @acc = @acc OP @b, both numbers; an infinite result is an error. */
static gboolean arith(enum node_op op, struct val *acc, const struct val *b,
		      struct eval_ctx *C)
{
	if (!need_num(acc, "cannot be used in arithmetic", C) ||
	    !need_num(b, "cannot be used in arithmetic", C))
		return FALSE;
	switch (op) {
	case N_ADD:
		acc->num += b->num;
		break;
	case N_SUB:
		acc->num -= b->num;
		break;
	case N_MUL:
		acc->num *= b->num;
		break;
	case N_DIV:
		if (b->num == 0) {
			g_set_error(C->error, SIM_ERROR, SIM_ERROR_RANGE,
				    "division by zero");
			return FALSE;
		}
		acc->num /= b->num;
		break;
	default:
		g_assert_not_reached();
	}
	/* Literals and values are finite (units.h), so only an overflow
	 * gets here; a NaN could only follow from one. */
	if (!isfinite(acc->num)) {
		g_set_error(C->error, SIM_ERROR, SIM_ERROR_RANGE,
			    "arithmetic overflows: a result is beyond the "
			    "largest number (about 1.8e308)");
		return FALSE;
	}
	return TRUE;
}

/*
 * A chain of one level's operators: the tree of "a + b - c" leans left,
 * (a + b) - c, so its nodes are the left spine below @n.  The spine is
 * listed, its bottom left operand evaluated, and each right operand
 * applied in turn: a loop, however long the chain.  Recursion happens only
 * into operands, which are of a tighter level or nested (and nesting is
 * limited by the parser).
 */
static gboolean eval_chain(const struct node *n, struct eval_ctx *C,
			   struct val *out)
{
	int level = chain_level(n->op);
	const struct node *local[32];
	const struct node **spine = local;
	g_autofree const struct node **heap = NULL;
	gsize len = 0, i;
	gboolean t, ok = TRUE;

	for (const struct node *m = n; chain_level(m->op) == level; m = m->a)
		len++;
	if (len > G_N_ELEMENTS(local))
		spine = heap = g_new(const struct node *, len);
	i = len;
	for (const struct node *m = n; i > 0; m = m->a)
		spine[--i] = m;

	if (level >= 3) {
		/* && and ||: stop at the first operand that decides. */
		gboolean is_or = level == 4;

		if (!truth(spine[0]->a, C, &t))
			return FALSE;
		for (i = 0; i < len && t != is_or; i++) {
			if (!truth(spine[i]->b, C, &t))
				return FALSE;
		}
		out->is_num = TRUE;
		out->str = NULL;
		out->num = t;
		return TRUE;
	}
	if (!eval(spine[0]->a, C, out))
		return FALSE;
	for (i = 0; ok && i < len; i++) {
		struct val b;

		ok = eval(spine[i]->b, C, &b) && arith(spine[i]->op, out, &b, C);
	}
	return ok;
}

static gboolean eval(const struct node *n, struct eval_ctx *C,
		     struct val *out)
{
	struct val a, b;
	gboolean t;
	const char *text;

	out->is_num = TRUE;
	out->str = NULL;
	switch (n->op) {
	case N_NUM:
		out->num = n->num;
		return TRUE;
	case N_STR:
		out->is_num = FALSE;
		out->str = n->str;
		return TRUE;
	case N_VAR:
		text = C->lookup(n->str, C->data);
		if (text == NULL) {
			g_set_error(C->error, SIM_ERROR, SIM_ERROR_UNKNOWN,
				    "unknown variable $%s", n->str);
			return FALSE;
		}
		if (!sim_expr_number(text, &out->num)) {
			out->is_num = FALSE;
			out->str = text;
		}
		return TRUE;
	case N_NOT:
		if (!truth(n->a, C, &t))
			return FALSE;
		out->num = !t;
		return TRUE;
	case N_NEG:
		if (!eval(n->a, C, &a) ||
		    !need_num(&a, "cannot be used in arithmetic", C))
			return FALSE;
		out->num = -a.num;
		return TRUE;
	case N_LT:
	case N_LE:
	case N_GT:
	case N_GE:
	case N_EQ:
	case N_NE:
		/* Comparisons do not chain: both sides are of a tighter
		 * level, or nested. */
		if (!eval(n->a, C, &a) || !eval(n->b, C, &b))
			return FALSE;
		return compare(n->op, &a, &b, C, &out->num);
	default:
		return eval_chain(n, C, out);
	}
}

gboolean sim_expr_eval(const struct sim_expr *e, sim_expr_lookup_fn *lookup,
		       void *data, gboolean *result, GError **error)
{
	struct eval_ctx C = { .lookup = lookup, .data = data, .error = error };

	return truth(e->root, &C, result);
}
