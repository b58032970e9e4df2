"""The host service: app factory, settings, data layer, plugin registry, errors, i18n, CLI."""
