// SPDX-License-Identifier: MIT
/*
 * labyaml.c - libyaml, loaded the first time a lab file is read
 *
 * Why it is not linked: see base/dynlib.c (only `up`, `down` and `status`
 * read YAML; every other command would pay for mapping it).
 */
#include "base/dynlib.h"
#include "lab/labyaml.h"

union labyaml yl;

static const char *const names[] = {
	"yaml_parser_initialize", "yaml_parser_set_input_string",
	"yaml_parser_load", "yaml_parser_delete",
	"yaml_document_get_root_node", "yaml_document_get_node",
	"yaml_document_delete", NULL
};

static struct dynlib lib = {
	.soname = "libyaml-0.so.2",
	.package = "libyaml-0-2",
	.names = names,
	.syms = yl.sym,
};

_Static_assert(sizeof(names) / sizeof(names[0]) - 1 ==
	       sizeof(yl.sym) / sizeof(yl.sym[0]), "one name per function");

/**
 * labyaml_load() - load libyaml unless done
 * @why:	on failure, why (a sentence ending in what to install)
 *
 * Return: 0, or -ELIBACC
 */
int labyaml_load(const char **why)
{
	int ret = dynlib_load(&lib);

	*why = lib.error;
	return ret;
}
