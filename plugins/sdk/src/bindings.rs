//! Bindings for the capability interfaces of `wit/worklink.wit`, generated at build time.
//!
//! Only imports live here (an inline world importing every interface): the exported worlds are
//! generated in each plugin crate by the export macros, which map these modules in with `with`, so
//! a plugin's component describes exactly the world it implements.

wit_bindgen::generate!({
    path: "../../wit",
    inline: "
        package worklink:sdk;

        world capabilities {
            import worklink:plugin/types@0.1.0;
            import worklink:plugin/messaging@0.1.0;
            import worklink:plugin/contacts@0.1.0;
            import worklink:plugin/attendance@0.1.0;
            import worklink:plugin/approvals@0.1.0;
            import worklink:plugin/erp@0.1.0;
            import worklink:plugin/kv@0.1.0;
            import worklink:plugin/log@0.1.0;
        }
    ",
    world: "worklink:sdk/capabilities",
    generate_all,
    generate_unused_types: true,
    additional_derives: [PartialEq, Eq],
    additional_type_attributes: {
        "worklink:plugin/contacts@0.1.0/user-query": [#[derive(Default)]],
    },
});
