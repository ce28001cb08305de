// Jest runs ESM-only dependencies as CommonJS. Some declare `const require = createRequire(import.meta.url)`,
// which clashes with the CommonJS `require` after transformation; in CommonJS the real one is already there.
module.exports = function stripCreateRequire() {
  return {
    visitor: {
      VariableDeclarator(path) {
        const { id, init } = path.node;
        if (
          id.type === 'Identifier' &&
          id.name === 'require' &&
          init &&
          init.type === 'CallExpression' &&
          init.callee.type === 'Identifier' &&
          init.callee.name === 'createRequire'
        ) {
          path.remove();
        }
      },
    },
  };
};
