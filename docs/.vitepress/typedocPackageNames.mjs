// @ts-check
// TypeDoc names a module after its entry point's path (`core/src`); a reader knows it by its npm name.
import { Converter, ReflectionKind } from 'typedoc';

/** @param {import('typedoc').Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const module of context.project.getChildrenByKind(ReflectionKind.Module)) {
      module.name = module.name.replace(/^([\w-]+)\/src$/, '@reauth/$1');
    }
  });
}
