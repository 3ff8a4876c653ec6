-- quotewire schema, version 6: each entity row carries its aliases and roles.
--
-- Every page of entities read them from `entity_aliases` and `entity_roles`, a row at a
-- time: two fifths of an entity page's cost. They are now also JSON arrays on the entity
-- (in the order first stored; readers sort them), kept by triggers, so every writer keeps
-- them: an alias or role is only ever added to a live entity (`ON CONFLICT DO NOTHING`
-- fires no trigger), and both go with the entity when it is deleted.
ALTER TABLE entities ADD COLUMN aliases TEXT NOT NULL DEFAULT '[]';
ALTER TABLE entities ADD COLUMN roles TEXT NOT NULL DEFAULT '[]';
UPDATE entities
SET aliases = coalesce((SELECT json_group_array(alias) FROM entity_aliases
                        WHERE entity_pk = entities.pk), '[]'),
    roles = coalesce((SELECT json_group_array(role) FROM entity_roles
                      WHERE entity_pk = entities.pk), '[]');
CREATE TRIGGER entity_aliases_listed AFTER INSERT ON entity_aliases BEGIN
    UPDATE entities SET aliases = json_insert(aliases, '$[#]', new.alias) WHERE pk = new.entity_pk;
END;
CREATE TRIGGER entity_roles_listed AFTER INSERT ON entity_roles BEGIN
    UPDATE entities SET roles = json_insert(roles, '$[#]', new.role) WHERE pk = new.entity_pk;
END;
