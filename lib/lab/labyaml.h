/* SPDX-License-Identifier: MIT */
/* labyaml.h - libyaml, loaded the first time a lab file is read */
#ifndef NC_LABYAML_H
#define NC_LABYAML_H

#include <yaml.h>
#include "base/util.h"

/**
 * union labyaml - the functions of libyaml the labs call, with the
 * library's own prototypes; valid once labyaml_load() returned 0
 */
union labyaml {
	struct {
		__typeof__(yaml_parser_initialize) *parser_initialize;
		__typeof__(yaml_parser_set_input_string) *parser_set_input_string;
		__typeof__(yaml_parser_load) *parser_load;
		__typeof__(yaml_parser_delete) *parser_delete;
		__typeof__(yaml_document_get_root_node) *document_get_root_node;
		__typeof__(yaml_document_get_node) *document_get_node;
		__typeof__(yaml_document_delete) *document_delete;
	};
	void *sym[7];
};

NC_INTERNAL extern union labyaml yl;
NC_INTERNAL int labyaml_load(const char **why);

#endif /* NC_LABYAML_H */
