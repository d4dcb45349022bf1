"""tpgen_clients generates the typed Go clients of a services.yaml in one Bazel action.

Copy this file into your workspace and load it from the BUILD file beside the
services.yaml. tpgen writes the same files for every package, whatever its spec
holds, so the outputs are declared from the list of packages alone; `tpgen
outputs` prints them. See tpgen's README, "Monorepos and build systems".
"""

# The files of one package, with a model subpackage (an import path is given).
TPGEN_PACKAGE_FILES = ["README.md", "client.go", "operations.go", "types.go", "model/models.go"]

def tpgen_clients(name, config, srcs, packages, importpath, out = "gen", tpgen = "@com_github_tpgen_tpgen//cmd/tpgen", **kwargs):
    """Generates out/<package>/... for every service of config.

    Args:
      name: the genrule's name.
      config: the services.yaml.
      srcs: the specs and every file they refer to.
      packages: the Go package names of config's services: the directories under out.
      importpath: the import path of out (tpgen does not look for go.mod).
      out: the output directory, relative to this package; it replaces services.yaml's output.
      tpgen: the tpgen binary.
      **kwargs: passed on to the genrule (visibility, tags).
    """
    outs = [out + "/.tpgen-manifest"]
    for p in packages:
        outs += ["%s/%s/%s" % (out, p, f) for f in TPGEN_PACKAGE_FILES]
    native.genrule(
        name = name,
        srcs = [config] + srcs,
        outs = outs,
        # -follow-links: the sandbox gives the action its inputs as links.
        cmd = "$(execpath %s) -config $(execpath %s) -out $(RULEDIR)/%s -import-path %s -follow-links" % (tpgen, config, out, importpath),
        tools = [tpgen],
        **kwargs
    )
