<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>AffiliateEditor</name>
    <message>
        <location filename="../../plugins/references/qt/_affiliate_rows.py" line="+54"/>
        <location line="+1"/>
        <source>Add affiliate link</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AffiliateRow</name>
    <message>
        <location line="-31"/>
        <source>Network, e.g. Amazon Associates</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Affiliate network {number}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>https://… (the link with your tag)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Affiliate link {number}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Remove affiliate link {number}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>AuthorPanel</name>
    <message>
        <location filename="../../plugins/references/qt/_profile_panel.py" line="+94"/>
        <source>References Directory of this person</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Directory summary</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Entries by category</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+34"/>
        <source>No entries yet.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>BackupPage</name>
    <message>
        <location filename="../../smd_desktop/ui/onboarding_pages.py" line="+307"/>
        <source>Restore from a backup file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This computer becomes a new device of the identity in the backup. Your profile here is protected by the backup&apos;s passphrase; you can change it later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Backup file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>C&amp;hoose…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose the backup file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The backup&apos;s passphrase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Backup &amp;file:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Its &amp;passphrase:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Choose a backup file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+17"/>
        <source>There is no file at {path}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CategoryModel</name>
    <message>
        <location filename="../../plugins/references/qt/_category_model.py" line="+22"/>
        <source>All categories</source>
        <translation>Alle Kategorien</translation>
    </message>
    <message numerus="yes">
        <location line="+11"/>
        <source>%n entries</source>
        <translation>
            <numerusform>%n Eintrag</numerusform>
            <numerusform>%n Einträge</numerusform>
        </translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Category</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ChoicePage</name>
    <message>
        <location filename="../../smd_desktop/ui/onboarding_pages.py" line="-308"/>
        <source>Welcome to SMD</source>
        <translation>Willkommen bei SMD</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your profile lives only on your devices, encrypted with your passphrase.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Create a new identity</source>
        <translation>Neue Identität &amp;erstellen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Create a new identity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Restore from a recovery &amp;phrase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Restore from a recovery phrase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Restore from a &amp;backup file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Restore from a backup file</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ComposeBox</name>
    <message>
        <location filename="../../smd_desktop/ui/compose.py" line="+44"/>
        <source>Images (*.png *.jpg *.jpeg *.gif *.webp)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+27"/>
        <source>{file}: could not be read ({reason})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{file}: {problem}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+54"/>
        <source>Compose a post</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Compose mode</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel reply or edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>What&apos;s happening?</source>
        <translation>Was gibt’s Neues?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Post text</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Attached images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Attach images…</source>
        <translation>Bilder anhängen…</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+169"/>
        <source>Attach images</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="-166"/>
        <source>Character count</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <location line="+100"/>
        <location line="+1"/>
        <source>Post</source>
        <translation>Veröffentlichen</translation>
    </message>
    <message>
        <location line="-100"/>
        <source>Post (Ctrl+Enter)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+105"/>
        <source>Replying to {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reply</source>
        <translation>Antworten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Post reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel reply</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Editing your post</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save</source>
        <translation>Speichern</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel edit</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="+25"/>
        <source>%n characters over the limit</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+41"/>
        <source>a post has at most %n images</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location line="+36"/>
        <source>Image {number}: {file}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Remove {file}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Remove image {number}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ConfirmPage</name>
    <message>
        <location filename="../../smd_desktop/ui/onboarding_pages.py" line="+109"/>
        <source>Check your recovery phrase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Type these words from what you wrote down.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+11"/>
        <source>A word of the recovery phrase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Word {n}:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Word number {n} of the recovery phrase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+21"/>
        <source>{words} does not match your recovery phrase. Check what you wrote down, or go Back to see the phrase again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{words} do not match your recovery phrase. Check what you wrote down, or go Back to see the phrase again.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>CreatePage</name>
    <message>
        <location line="-142"/>
        <source>Create your identity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Choose how others see you and a passphrase.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Display name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Display &amp;name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Create identity</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DealDialog</name>
    <message>
        <location filename="../../plugins/ratings/qt/_deal_dialog.py" line="+61"/>
        <source>Start a deal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Offer deal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>What is exchanged, e.g. a used bicycle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>What the deal is about</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Context of the deal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The kind of deal; people can trust someone more for one kind than another.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>e.g. 120.00 (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Amount</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>EUR</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Currency code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>https://… (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Link to the item or listing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>From</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The deal has a start date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Start date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Until</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The deal has an end date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>End date</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+8"/>
        <source> days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>How long the offer stays open, in days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>With:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>What:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Context:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Amount:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Link:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dates:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Offer open for:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The offer goes directly to them. Once they accept, you both sign and publish the deal, and each of you can rate the other.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>How a deal works</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Say what the deal is about.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Give both an amount and its currency, or neither.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Write the amount as a number like 120 or 120.50.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Write the currency as a code like EUR, USD or BTC.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The link must be a web address starting with https://.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The deal cannot end before it starts.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DealsModel</name>
    <message>
        <location filename="../../plugins/ratings/qt/_deals_model.py" line="+23"/>
        <source>With</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>What</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Context</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Amount</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>My rating</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Their rating</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Offered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+20"/>
        <source>{what} with {name}: {status} ({hint})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{deal}; my rating: {mine}; their rating: {theirs}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DealsTab</name>
    <message>
        <location filename="../../plugins/ratings/qt/_deals_tab.py" line="+47"/>
        <source>Deals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+10"/>
        <source>My deals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No deals yet. Start one with a person you deal with.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The selected deal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;New deal…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Start a deal with a person</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Accept</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Accept the selected offer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Decline</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Decline the selected offer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Withdraw offer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Withdraw the offer you made, before they answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Rate…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Rate the selected deal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Res&amp;pond…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Respond to their rating of you in the selected deal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+92"/>
        <source>{deal}. Amount: {amount}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{deal}. Dates: {start} – {until}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{deal}. Link: {link}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{deal}. The offer expires on {date}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{deal}. Your rating is sealed until {name} rates too, or 14 days pass.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+47"/>
        <source>Offered “{what}” to {name}; it becomes active when they accept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Accepted “{what}”: the deal is active; you can rate it now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Declined “{what}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Withdrew your offer “{what}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Your rating of “{what}” is published, sealed until it is revealed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Your response is published.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>DesktopApp</name>
    <message>
        <location filename="../../smd_desktop/app.py" line="+240"/>
        <source>The plugin {plugin} was turned off: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+127"/>
        <source>That invite code cannot be used: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EntriesModel</name>
    <message>
        <location filename="../../plugins/references/qt/_entries_model.py" line="+32"/>
        <source>Title</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Category</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Author</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Disclosures</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+133"/>
        <source>{title}, in {category}, by {author}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{title}, by {author}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{entry}; discloses: {disclosures}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EntryActions</name>
    <message>
        <location filename="../../plugins/references/qt/_actions.py" line="+48"/>
        <source>&amp;New entry…</source>
        <translation>&amp;Neuer Eintrag…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Add an entry to my directory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>&amp;Edit…</source>
        <translation>&amp;Bearbeiten…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Edit the selected entry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Delete…</source>
        <translation>&amp;Löschen…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Delete the selected entry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>E&amp;xport as HTML…</source>
        <translation>Als HTML e&amp;xportieren…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export my directory as a web page</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+43"/>
        <source>Saved “{title}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Delete entry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete “{title}” from your directory?

It is removed here, and from the people who hold your directory as your deletion reaches them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Deleted “{title}”.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Export my directory as HTML</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Web pages (*.html *.htm)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Exporting to {path}…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Wrote {entries} to {path}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Export failed: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EntryDetailView</name>
    <message>
        <location filename="../../plugins/references/qt/_detail.py" line="+32"/>
        <source>Choose an entry to see it here.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This entry is no longer in any directory you hold.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+9"/>
        <source>No longer using it ({dates})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No longer using it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Still using it, since {date}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Still using it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Using it since {date}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+14"/>
        <source>You</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{name} (you follow)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{name}: “{note}”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Entry title</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Author</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Category</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Verdict</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Usage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Identifiers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+160"/>
        <location line="+1"/>
        <source>Open link</source>
        <translation>Link öffnen</translation>
    </message>
    <message>
        <location line="-159"/>
        <source>Open without affiliate link</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open the canonical link, without affiliate link</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Endorsements</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Who endorses this entry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Why you vouch for it (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Endorsement note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+113"/>
        <source>Endorse</source>
        <translation>Befürworten</translation>
    </message>
    <message>
        <location line="-112"/>
        <source>Endorse this entry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Withdraw endorsement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Endorsement status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+80"/>
        <source>by {author} (you)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>by {author}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Show the profile of {author}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Uncategorized</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Nobody endorses it yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>Endorsed by %n:</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Update endorsement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+12"/>
        <source>No disclosures</source>
        <translation>Keine Offenlegungen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Disclosure: none declared</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Disclosure: {badge}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Open link (affiliate: {network})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Open affiliate link of {network}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+25"/>
        <source>You endorse this entry.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+13"/>
        <source>You no longer endorse this entry.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EntryDialog</name>
    <message>
        <location filename="../../plugins/references/qt/_entry_dialog.py" line="+41"/>
        <source>New entry</source>
        <translation>Neuer Eintrag</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Edit entry</source>
        <translation>Eintrag bearbeiten</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Problem with this entry</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>EntryForm</name>
    <message>
        <location filename="../../plugins/references/qt/_entry_form.py" line="+33"/>
        <source>An affiliate link must be disclosed: tick “I earn a commission” (affiliate) or remove the link.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>I earn a commission (affiliate)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>I was paid to feature it (sponsored)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>I received it for free</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>I own or work for the company</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not said</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Still using it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stopped using it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Title</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>What it is, e.g. Shure SM7B</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Link</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>https://… (the plain product page, no affiliate tag)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Category</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>e.g. Audio / Microphones</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tags</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>e.g. podcast, xlr</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Why you use it, what to know before buying…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Verdict</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No verdict</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Still using</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>YYYY, YYYY-MM or YYYY-MM-DD</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Using since</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stopped in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Disclosures</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Disclose: {choice}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>&amp;Title</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Link</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Category</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ta&amp;gs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Identifiers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Verdict</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>&amp;Usage</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Affiliate links</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ErrorBanner</name>
    <message>
        <location filename="../../smd_desktop/ui/main_window.py" line="+47"/>
        <source>Error message</source>
        <translation>Fehlermeldung</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dismiss</source>
        <translation>Schließen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dismiss the error message</source>
        <translation>Fehlermeldung schließen</translation>
    </message>
</context>
<context>
    <name>FormDialog</name>
    <message>
        <location filename="../../plugins/ratings/qt/_form_dialog.py" line="+55"/>
        <source>Problem with this form</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>GroupedEntriesModel</name>
    <message>
        <location filename="../../plugins/references/qt/_profile_panel.py" line="-108"/>
        <source>Uncategorized</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Entry</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Disclosures</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <location filename="../../smd_desktop/ui/home_page.py" line="+75"/>
        <source>Home</source>
        <translation>Startseite</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Timeline</source>
        <translation>Zeitleiste</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Reply</source>
        <translation>Antworten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Edit</source>
        <translation>Bearbeiten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Open profile</source>
        <translation>Profil öffnen</translation>
    </message>
    <message>
        <location line="+49"/>
        <source>Delete post</source>
        <translation>Beitrag löschen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete this post? Your followers&apos; apps will remove it too.</source>
        <translation>Diesen Beitrag löschen? Die Apps Ihrer Follower entfernen ihn ebenfalls.</translation>
    </message>
</context>
<context>
    <name>ImageDialog</name>
    <message>
        <location filename="../../smd_desktop/ui/image_dialog.py" line="+22"/>
        <location line="+6"/>
        <source>Image</source>
        <translation>Bild</translation>
    </message>
    <message>
        <location line="-2"/>
        <source>Loading…</source>
        <translation>Wird geladen…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Image view</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+17"/>
        <source>This image has not arrived on this device yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This image cannot be shown.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ImportTab</name>
    <message>
        <location filename="../../plugins/ratings/qt/_import_tab.py" line="+55"/>
        <source>Import platform ratings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The file the platform gave you</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>File to import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose the file to import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Platform the file is from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>e.g. Vinted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name of the platform</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Platform name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>https://www.ebay.com/usr/your-name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your public profile address on the platform</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Link my account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Link my platform account with a token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Link token to put on your platform profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Copy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy the link token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Put this token on your public profile on the platform (in your description or bio), then import. Anyone can look at the profile and see it; people who do can witness that the account is yours.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>How to link your account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Import the file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Problem with this import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>File:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Platform:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Profile address:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The whole summary is imported (count, share positive or average, period), never single reviews. It is shown beside your score with its assurance, never merged into it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>What an import publishes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Import a platform&apos;s ratings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>My imported ratings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nothing imported yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>My imports:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+40"/>
        <source>Choose the file the platform gave you</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Rating exports (*.csv *.json);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Choose the file to import.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Name the platform the CSV file is from.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Give the address of your public profile on the platform.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+53"/>
        <source>The link token is on the clipboard.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Imported {figures} from {platform} ({assurance}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+30"/>
        <source>Each import shows its assurance: {levels}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ImportsModel</name>
    <message>
        <location filename="../../plugins/ratings/qt/_reputation_models.py" line="+160"/>
        <source>Platform</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Figures</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Period</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Assurance</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Profile</source>
        <translation type="unfinished">Profil</translation>
    </message>
    <message numerus="yes">
        <location line="+8"/>
        <source>%n witness report(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{label} ({witnesses})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+15"/>
        <source>{platform}: {figures}, {period}; {assurance}: {hint} ({url})</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../smd_desktop/ui/main_window.py" line="-20"/>
        <source>Home</source>
        <translation>Startseite</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>People</source>
        <translation>Personen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Profile</source>
        <translation>Profil</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Network</source>
        <translation>Netzwerk</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Settings</source>
        <translation>Einstellungen</translation>
    </message>
    <message>
        <location line="+50"/>
        <source>Pages</source>
        <translation>Seiten</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Working…</source>
        <translation>Arbeitet…</translation>
    </message>
    <message>
        <location line="+38"/>
        <source>Closing…</source>
        <translation>Wird beendet…</translation>
    </message>
    <message>
        <location filename="../../plugins/references/qt/_page.py" line="+42"/>
        <source>References</source>
        <translation>Referenzen</translation>
    </message>
    <message>
        <location filename="../../plugins/ratings/qt/_page.py" line="+23"/>
        <source>Ratings</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>NetworkPage</name>
    <message>
        <location filename="../../smd_desktop/ui/network_page.py" line="+32"/>
        <source>Peer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Addresses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sync</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+28"/>
        <location line="+149"/>
        <source>Offline</source>
        <translation>Offline</translation>
    </message>
    <message>
        <location line="-148"/>
        <source>Network status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Connected peers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Your invite code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your invite code as a QR code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy the invite code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>New code</source>
        <translation>Neuer Code</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Make a new invite code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Paste an invite code or a multiaddr</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Invite code or address to connect to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connect</source>
        <translation>Verbinden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connect to this peer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Find friends on this network (LAN discovery)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>LAN discovery</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Your invite code: send it to a friend</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Add a peer</source>
        <translation>Peer hinzufügen</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Listening on {addresses}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Sync progress with {peer}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+41"/>
        <source>Invite code copied.</source>
        <translation>Einladungscode kopiert.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Paste an invite code or an address first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Connecting…</source>
        <translation>Verbinde…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Online, no peers connected</source>
        <translation>Online, keine Peers verbunden</translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>Online, %n peer(s) connected</source>
        <translation>
            <numerusform>Online, %n Peer verbunden</numerusform>
            <numerusform>Online, %n Peers verbunden</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>NodeController</name>
    <message>
        <location filename="../../smd_desktop/app.py" line="-215"/>
        <source>The network is not running yet; try again in a moment.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Could not connect: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Connected to …{peer}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Notification</name>
    <message>
        <location line="+38"/>
        <source>Someone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{name} replied to you</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>{name} replied to you (and %n more replies)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{name} now follows you</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>{name} now follows you (and %n more)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location line="+9"/>
        <source>New post from {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n new posts</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>OnboardingWizard</name>
    <message>
        <location filename="../../smd_desktop/ui/onboarding.py" line="+61"/>
        <source>Welcome to SMD</source>
        <translation>Willkommen bei SMD</translation>
    </message>
    <message>
        <location line="+36"/>
        <source>SMD is still starting; try again in a moment.</source>
        <translation type="unfinished">SMD startet noch; versuchen Sie es gleich noch einmal.</translation>
    </message>
</context>
<context>
    <name>PassphrasePair</name>
    <message>
        <location filename="../../smd_desktop/ui/passphrase_pair.py" line="+21"/>
        <source>Passphrase</source>
        <translation type="unfinished">Passphrase</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Repeat the passphrase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Passphrase strength</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Passphrase advice</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Passphrase:</source>
        <translation>&amp;Passphrase:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Repeat it:</source>
        <translation>&amp;Wiederholen:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Strength:</source>
        <translation>Stärke:</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Choose a passphrase of at least 8 characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The two entries differ.</source>
        <translation>Die beiden Eingaben unterscheiden sich.</translation>
    </message>
</context>
<context>
    <name>PassphraseStrength</name>
    <message>
        <location filename="../../smd_desktop/ui/passphrase_strength.py" line="+25"/>
        <source>Very weak</source>
        <translation>Sehr schwach</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weak</source>
        <translation>Schwach</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Fair</source>
        <translation>Mittel</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Good</source>
        <translation>Gut</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Strong</source>
        <translation>Stark</translation>
    </message>
    <message>
        <location line="+99"/>
        <source>Use at least 8 characters; a few unrelated words are strongest.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+12"/>
        <source>This is one of the most common passwords; pick something nobody would guess.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+26"/>
        <source>It contains a common password; add a few unrelated words.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Repeated characters and runs like “abc” or “123” are easy to guess.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Very weak: add a few unrelated words.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Weak: add more unrelated words or characters.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Fair: one or two more unrelated words would make it much stronger.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Good passphrase.</source>
        <translation>Gute Passphrase.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Strong passphrase.</source>
        <translation>Starke Passphrase.</translation>
    </message>
</context>
<context>
    <name>PathsModel</name>
    <message>
        <location filename="../../plugins/ratings/qt/_reputation_models.py" line="-47"/>
        <source>Trust path</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Share</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+9"/>
        <source>{path}, {share} of the trust that reaches them</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PeopleList</name>
    <message>
        <location filename="../../smd_desktop/ui/people_page.py" line="+98"/>
        <source>Nobody yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+15"/>
        <source>{action} the selected person in {list}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PeopleModel</name>
    <message numerus="yes">
        <location filename="../../smd_desktop/ui/people_model.py" line="+180"/>
        <source>followed by %n friend(s)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PeoplePage</name>
    <message>
        <location filename="../../smd_desktop/ui/people_page.py" line="-76"/>
        <source>That is neither an identity id (z6Mk… or did:key:z6Mk…) nor an invite code (smd1…).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+11"/>
        <source>That is your own identity; you cannot follow yourself.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>You already follow {name}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>You now follow {name}, but you block them: unblock them to see their posts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>You now follow {name}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+105"/>
        <source>People</source>
        <translation type="unfinished">Personen</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>An identity id (z6Mk…) or an invite code (smd1…)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Identity id or invite code to follow</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+10"/>
        <source>Follow</source>
        <translation>Folgen</translation>
    </message>
    <message>
        <location line="-9"/>
        <source>Follow this identity id or invite code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Follow result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Unfollow</source>
        <translation>Entfolgen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Block</source>
        <translation>Blockieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unblock</source>
        <translation>Blockierung aufheben</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Following</source>
        <translation>Gefolgt</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Followers</source>
        <translation>Follower</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>People whose follow reached this device; there may be more.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Suggestions</source>
        <translation>Vorschläge</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Followed by people you follow.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Blocked</source>
        <translation>Blockiert</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>People lists</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Follow by id or invite code:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+58"/>
        <source>{list} ({count})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Connecting to the invite&apos;s owner to follow them…</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PersonBox</name>
    <message>
        <location filename="../../plugins/references/qt/_sources.py" line="+21"/>
        <source>Anyone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Me</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+87"/>
        <source>Search in the directory of</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PersonPicker</name>
    <message>
        <location filename="../../plugins/ratings/qt/_people.py" line="+32"/>
        <source>A person you follow, or an identity id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Person</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Pick a person you follow, or paste their identity id (z6Mk…).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+45"/>
        <source>Choose a person.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>That is neither the name of a person you follow nor an identity id (z6Mk…).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PhrasePage</name>
    <message>
        <location filename="../../smd_desktop/ui/onboarding_pages.py" line="+31"/>
        <source>Your recovery phrase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Write these 24 words down on paper, in order, and keep them safe. They are the only way to recover your identity, and they are shown only now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Word {n}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>I &amp;wrote it down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>I wrote the recovery phrase down</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PluginUi</name>
    <message>
        <location filename="../../smd_desktop/ui/plugin_ui.py" line="+48"/>
        <source>its window parts cannot load: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+35"/>
        <source>failed while building its pages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+9"/>
        <source>failed while building a profile panel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+10"/>
        <source>failed while building its settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+9"/>
        <source>failed while opening a search result</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PluginsPanel</name>
    <message>
        <location filename="../../smd_desktop/ui/plugins_panel.py" line="+27"/>
        <source>Plugin</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Version</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Content types</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Disabled</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not running: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not running</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Plugins</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Installed plugins</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Tick a plugin to enable it for this profile. Its data stays when it is disabled; its pages appear or disappear the next time SMD starts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Plugin change result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+39"/>
        <source>Enable {plugin}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+14"/>
        <source>{plugin} settings: {panel}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+18"/>
        <source>{plugin} is enabled but cannot run: {error}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{plugin} enabled.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{plugin} disabled.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PortSpinBox</name>
    <message>
        <location filename="../../smd_desktop/ui/port_box.py" line="+12"/>
        <source>automatic</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>PostDelegate</name>
    <message>
        <location filename="../../smd_desktop/ui/post_delegate.py" line="+155"/>
        <source>Reply</source>
        <translation>Antworten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Edit</source>
        <translation>Bearbeiten</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Delete</source>
        <translation>Löschen</translation>
    </message>
    <message>
        <location line="+86"/>
        <source>edited</source>
        <translation>bearbeitet</translation>
    </message>
    <message>
        <location line="+72"/>
        <source>not here yet</source>
        <translation>noch nicht da</translation>
    </message>
</context>
<context>
    <name>ProfileEditor</name>
    <message>
        <location filename="../../smd_desktop/ui/profile_page.py" line="+132"/>
        <source>Edit profile</source>
        <translation type="unfinished">Profil bearbeiten</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Your bio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+38"/>
        <source>Unchanged</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="-37"/>
        <source>Choose image…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose an avatar image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save</source>
        <translation type="unfinished">Speichern</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Save your profile</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation type="unfinished">Abbrechen</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Profile error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Bio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Avatar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Choose an avatar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Images (*.png *.jpg *.jpeg *.gif *.webp)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ProfilePage</name>
    <message>
        <location line="-136"/>
        <source>Warning: a device of {name} signed two different versions of its history. Its key may have been copied; be careful with what this identity says until they sort it out.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+60"/>
        <source>cannot read {file}: {reason}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+98"/>
        <source>Profile</source>
        <translation type="unfinished">Profil</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Fork warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Avatar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Bio</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Identity id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy</source>
        <translation>Kopieren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Copy the identity id</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Devices and relation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Edit profile</source>
        <translation>Profil bearbeiten</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+182"/>
        <source>Follow</source>
        <translation>Folgen</translation>
    </message>
    <message>
        <location line="-181"/>
        <location line="+182"/>
        <source>Block</source>
        <translation>Blockieren</translation>
    </message>
    <message>
        <location line="-178"/>
        <location line="+2"/>
        <location line="+31"/>
        <source>Posts</source>
        <translation>Beiträge</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>Profile sections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+95"/>
        <source>{name} (you)</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>%n device(s)</source>
        <translation>
            <numerusform>%n Gerät</numerusform>
            <numerusform>%n Geräte</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>{devices} (%n revoked)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{details} · follows you</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+11"/>
        <source>{time} · edited</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Posts ({count})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No posts yet</source>
        <translation>Noch keine Beiträge</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>No avatar</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Unfollow</source>
        <translation>Entfolgen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unblock</source>
        <translation>Blockierung aufheben</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>A profile needs a name.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RateDialog</name>
    <message>
        <location filename="../../plugins/ratings/qt/_rate_dialog.py" line="+40"/>
        <source>Rate {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Publish sealed rating</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{stars} out of 5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>What you want to say about the deal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Optional: how did it go?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{what}, with {name} ({context})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The deal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Overall:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not rated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{stars}/5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{aspect}, optional</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{aspect}:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Text:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Your rating is double-blind: it is published sealed, so {name} sees only that you rated, not how. It is revealed when both of you have rated, or after {days} days, whichever comes first; neither of you can change it or reply to the other&apos;s rating with your own. You can rate this deal once.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>How the rating stays sealed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Choose from 1 to 5 stars overall.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The text is longer than {limit} characters.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>Ratings</name>
    <message>
        <location filename="../../plugins/ratings/qt/_deal_dialog.py" line="-127"/>
        <source>A context is a short name in lower-case letters, digits and dashes, like p2p-sale or service.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../plugins/ratings/qt/_hooks.py" line="+28"/>
        <source>Reputation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../plugins/ratings/qt/_labels.py" line="+22"/>
        <source>Offered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Received</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Active</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Declined</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Expired</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>you offered it; waiting for their answer</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>offered to you; accept or decline it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>signed by both of you; it can be rated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>declined; nothing was published</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>the offer expired before it was accepted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Not rated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sealed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Revealed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Self-asserted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Account-linked</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Witnessed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Only the person&apos;s own word: nobody has checked these figures.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The person says their link token is on this platform profile: anyone can look.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Someone in your network saw the link token on this platform profile.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>eBay</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Etsy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Airbnb</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Other platform (CSV)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Trust fully</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Trust</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Trust a little</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Be careful (distrust)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Do not trust (distrust)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>As described</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Communication</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Timeliness</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>general (everything)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+30"/>
        <source>{state}: {stars}/5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+46"/>
        <source>{value} %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{value} vote(s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+13"/>
        <source>{network}, {outside}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+16"/>
        <source>{count}, {share} positive</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{count}, average {average}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+8"/>
        <source>{start} – {until}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../plugins/ratings/qt/_reputation_models.py" line="-107"/>
        <source>{aspect} {stars}/5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+39"/>
        <source>{stars}/5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+49"/>
        <source>directly (you trust them)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>via {people}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RatingsModel</name>
    <message>
        <location line="-79"/>
        <source>Rater</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Stars</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Counts for</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Deal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rating</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Response</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>outside your network</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>{votes} ({share} of the score)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+8"/>
        <source>written after seeing the other side&apos;s rating</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{what} ({context})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+10"/>
        <source>{rater} rated {stars}/5 for {what}, counts for {counts}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>{summary}: {text}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{rating}. Response: {response}</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RatingsPage</name>
    <message>
        <location filename="../../plugins/ratings/qt/_page.py" line="+11"/>
        <source>Ratings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Ratings sections</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>My &amp;reputation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Deals</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Import</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Trust</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Ratings status</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="+15"/>
        <source>%n sealed rating(s) revealed.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RecoveryPhrase</name>
    <message>
        <location filename="../../smd_desktop/ui/recovery_phrase.py" line="+23"/>
        <source>Word {n}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Words {list} and {last}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+16"/>
        <source>“{word}”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{words} ({shown}) is not in the recovery word list; check the spelling.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>{words} ({shown}) are not in the recovery word list; check the spelling.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+8"/>
        <source>A recovery phrase has {expected} words; this one has {count}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>These words are all valid, but not in this order or combination; check each word and its position.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>References</name>
    <message>
        <location filename="../../plugins/references/qt/_hooks.py" line="+24"/>
        <source>References Directory</source>
        <translation>Referenzverzeichnis</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Links</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location filename="../../plugins/references/qt/_labels.py" line="+19"/>
        <source>Affiliate</source>
        <translation>Affiliate-Link</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sponsored</source>
        <translation>Gesponsert</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Received free</source>
        <translation>Kostenlos erhalten</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Owner/employee</source>
        <translation>Inhaber/Mitarbeiter</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>I earn a commission if you buy through this link.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Sponsored: I was paid to feature this.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>I received this for free.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>I own or work for this company.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Can&apos;t do without it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Recommended</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Mixed feelings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Avoid</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReferencesPage</name>
    <message>
        <location filename="../../plugins/references/qt/_page.py" line="+11"/>
        <source>References Directory</source>
        <translation>Referenzverzeichnis</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Entries listed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>References status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Categories</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Entries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+90"/>
        <source>Found {entries}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RelativeTime</name>
    <message>
        <location filename="../../smd_desktop/ui/timeline_model.py" line="+113"/>
        <source>just now</source>
        <translation>gerade eben</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n min ago</source>
        <translation>
            <numerusform>vor %n Min.</numerusform>
            <numerusform>vor %n Min.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n h ago</source>
        <translation>
            <numerusform>vor %n Std.</numerusform>
            <numerusform>vor %n Std.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>%n d ago</source>
        <translation>
            <numerusform>vor %n Tag</numerusform>
            <numerusform>vor %n Tagen</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>ReputationDisplay</name>
    <message>
        <location filename="../../plugins/ratings/qt/_reputation.py" line="+103"/>
        <source>My reputation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Reputation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Whose reputation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Loading…</source>
        <translation type="unfinished">Wird geladen…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Context of the reputation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Whose judgement counts can depend on the kind of deal: choose a context.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Problem with the context</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Score</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>How the score is made</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ratings from your network and from outside</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Share of positive ratings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Ratings still sealed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Trust paths from you to them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>About the trust paths</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Ratings and how much each counts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>About the ratings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Respond…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Respond to the selected rating</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Imported platform ratings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>About imported ratings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Figures imported from other platforms, with how far they are backed. They are shown beside the score and never merged into it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No imported ratings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No ratings imported from other platforms.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Context:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Native reputation, from your seat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Imported from other platforms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+61"/>
        <source>Your reputation, as you see it from your own seat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{name}&apos;s reputation, from your seat</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{score} / 5</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Score {score} out of 5, in {context}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{votes} from raters you trust, starting from a neutral {prior} that counts as {prior_votes}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+10"/>
        <source>No ratings from your network yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{share} positive among the raters who count (at least {bound}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="+7"/>
        <source>%n rating(s) still sealed: they count once revealed.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Ratings count by how much you trust the people who wrote them.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>How your trust reaches {name}: the heaviest paths.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{note} (there may be more.)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No trust path from you reaches {name} yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Every revealed rating, negative ones included, with how much it counts for you. Raters outside your network are shown but do not count.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No revealed ratings yet.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>ReputationPanel</name>
    <message>
        <location filename="../../plugins/ratings/qt/_profile_panel.py" line="+34"/>
        <source>Reputation of this person</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Start a &amp;deal…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start a deal with this person</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Set &amp;trust…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Say how much you trust this person</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Reputation status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+52"/>
        <source>Offered “{what}”; it becomes active when they accept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Your trust statement is published.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RespondDialog</name>
    <message>
        <location filename="../../plugins/ratings/qt/_rate_dialog.py" line="+29"/>
        <source>Respond to {name}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>&amp;Publish response</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{name} rated you {stars}/5 for {what}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{rating} “{text}”</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The rating</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your response</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Response:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Your response is public and shown beside the rating. You can respond once; the rating itself stays as it is.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>About responses</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Write your response.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The response is longer than {limit} characters.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>RestorePage</name>
    <message>
        <location filename="../../smd_desktop/ui/onboarding_pages.py" line="+93"/>
        <source>Restore from your recovery phrase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This computer becomes a new device of your identity.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Recovery phrase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The 24 words, separated by spaces</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Recovery phrase check</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Display name (optional)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Optional: keeps your current name if empty</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Recovery &amp;phrase:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Display &amp;name:</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SearchBar</name>
    <message>
        <location filename="../../plugins/references/qt/_search_bar.py" line="+25"/>
        <source>Search every directory you hold…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search references</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Category, e.g. Audio / Microphones</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Filter by category</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Tag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Filter by tag</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Clear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clear the search</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SearchDialog</name>
    <message>
        <location filename="../../smd_desktop/ui/search_dialog.py" line="+52"/>
        <source>Search</source>
        <translation>Suche</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Search everything you hold (references, …)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Search words</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Search results</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Search status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+36"/>
        <source>{title} — {author}</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="+8"/>
        <source>%n result(s)</source>
        <translation>
            <numerusform>%n Ergebnis</numerusform>
            <numerusform>%n Ergebnisse</numerusform>
        </translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Nothing found.</source>
        <translation>Nichts gefunden.</translation>
    </message>
</context>
<context>
    <name>Sentences</name>
    <message>
        <location filename="../../smd_desktop/ui/sentences.py" line="+12"/>
        <source>Something went wrong.</source>
        <translation>Etwas ist schiefgelaufen.</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../../smd_desktop/ui/settings_page.py" line="+55"/>
        <source>The current passphrase is wrong; nothing was changed.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Light</source>
        <translation>Hell</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Dark</source>
        <translation>Dunkel</translation>
    </message>
    <message>
        <location line="+71"/>
        <source>Current passphrase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>New passphrase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Repeat the new passphrase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Change passphrase</source>
        <translation>Passphrase ändern</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Passphrase change result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Passphrase</source>
        <translation>Passphrase</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>C&amp;urrent passphrase:</source>
        <translation>A&amp;ktuelle Passphrase:</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Backup passphrase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Repeat the backup passphrase</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export backup…</source>
        <translation>Sicherung exportieren…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Export an encrypted backup</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Backup result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Encrypted backup</source>
        <translation>Verschlüsselte Sicherung</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A backup holds your identity&apos;s key and posts, sealed with the passphrase below. Keep both: without the passphrase the backup cannot be opened.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+12"/>
        <location line="+5"/>
        <source>Data folder</source>
        <translation>Datenordner</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>Open folder</source>
        <translation>Ordner öffnen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open the data folder</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Listen port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>automatic: the network picks a free port the first time it starts and keeps it</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Apply</source>
        <translation>Übernehmen</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Use this listen port</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Listen port result</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Follow hops to replicate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>0: only your own posts; 1: people you follow; 2: also the people they follow; …</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Network</source>
        <translation>Netzwerk</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Listen port:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Replicate &amp;follows up to (hops):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Theme</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Lock after being idle</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Off</source>
        <translation>Aus</translation>
    </message>
    <message numerus="yes">
        <location line="+0"/>
        <source>%n minute(s)</source>
        <translation>
            <numerusform>%n Minute</numerusform>
            <numerusform>%n Minuten</numerusform>
        </translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Appearance and security</source>
        <translation>Darstellung und Sicherheit</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Theme:</source>
        <translation>&amp;Design:</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Lock after &amp;idle:</source>
        <translation>Sperren nach &amp;Inaktivität:</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Type your current passphrase first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>The new passphrase is the same as the current one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Checking the current passphrase…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Changing the passphrase…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Passphrase changed. Use the new one from now on.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Save encrypted backup</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>SMD backups (*{suffix})</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Writing the backup…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+18"/>
        <source>The backup was not written: {reason}.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <location line="+6"/>
        <source>Backup saved to {path} (%n record(s)).</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <location line="+23"/>
        <source>No port chosen yet: the network picks a free one.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+26"/>
        <source>The network now listens on port {port}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SettingsPanel</name>
    <message>
        <location filename="../../plugins/references/qt/_settings.py" line="+65"/>
        <source>No affiliate links: always open the plain product link</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No affiliate links</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>When on, Open link never uses an author&apos;s affiliate link, only the canonical URL.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Authors may earn a commission through their affiliate links (always disclosed). With this switch on, links open without them.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>SourceSelector</name>
    <message>
        <location filename="../../plugins/references/qt/_sources.py" line="-90"/>
        <source>My directory</source>
        <translation>Mein Verzeichnis</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All directories</source>
        <translation>Alle Verzeichnisse</translation>
    </message>
    <message>
        <location line="+56"/>
        <source>Whose directory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>{name}’s directory</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TimelineModel</name>
    <message numerus="yes">
        <location filename="../../smd_desktop/ui/timeline_model.py" line="+228"/>
        <source>{author}, {when}, edited, %n image(s): {text}</source>
        <translation>
            <numerusform>{author}, {when}, bearbeitet, %n Bild: {text}</numerusform>
            <numerusform>{author}, {when}, bearbeitet, %n Bilder: {text}</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+4"/>
        <source>{author}, {when}, %n image(s): {text}</source>
        <translation>
            <numerusform>{author}, {when}, %n Bild: {text}</numerusform>
            <numerusform>{author}, {when}, %n Bilder: {text}</numerusform>
        </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>{author}, {when}, edited: {text}</source>
        <translation>{author}, {when}, bearbeitet: {text}</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>{author}, {when}: {text}</source>
        <translation>{author}, {when}: {text}</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message numerus="yes">
        <location filename="../../smd_desktop/ui/tray.py" line="+80"/>
        <source>SMD: %n unread post(s)</source>
        <translation>
            <numerusform>SMD: %n ungelesener Beitrag</numerusform>
            <numerusform>SMD: %n ungelesene Beiträge</numerusform>
        </translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Show SMD</source>
        <translation>SMD anzeigen</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
</context>
<context>
    <name>TrustDialog</name>
    <message>
        <location filename="../../plugins/ratings/qt/_trust_dialog.py" line="+39"/>
        <source>Trust someone</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Change trust</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>&amp;Publish statement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Context of the trust</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>general counts for everything; a context such as p2p-sale overrides it for that kind of deal only.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>How much you trust them</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Optional: why</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note about the statement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Trust statements are public: everyone who holds your feed can read them, including the person they are about.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Trust statements are public</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Distrust warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Person:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Context:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Statement:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+33"/>
        <source>this person</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A distrust statement is public too: {name} and everyone else will see that you distrust them. It lowers the weight of their ratings for the people who trust you.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TrustModel</name>
    <message>
        <location filename="../../plugins/ratings/qt/_trust_model.py" line="+17"/>
        <source>Person</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Context</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Statement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Note</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Since</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+15"/>
        <source>{person}, in {context}: {statement}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+6"/>
        <source>{statement} ({note})</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>TrustTab</name>
    <message>
        <location filename="../../plugins/ratings/qt/_trust_tab.py" line="+44"/>
        <source>Trust</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+7"/>
        <source>My trust statements</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You have made no trust statements.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Add…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Make a trust statement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Change…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Change the selected statement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+3"/>
        <source>&amp;Withdraw…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Withdraw the selected statement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Whom you trust decides whose ratings count for you, and how much. Your statements are public. Following someone already counts as a little trust.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>About trust statements</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+89"/>
        <source>Published: {statement} ({context}).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Withdraw trust statement</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Withdraw your statement about {name} ({context})?

Its deletion is published; people who hold your feed drop it as it reaches them, but may have seen it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Withdrew your statement about {name}.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>UiContext</name>
    <message>
        <location filename="../../smd_desktop/ui/plugin_api.py" line="+75"/>
        <source>Not a web address: {url}</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No web browser could open the link.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>UnlockDialog</name>
    <message>
        <location filename="../../smd_desktop/ui/unlock_dialog.py" line="+28"/>
        <source>That passphrase does not open this profile. Try again.</source>
        <translation>Diese Passphrase öffnet dieses Profil nicht. Bitte versuchen Sie es erneut.</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Unlock SMD</source>
        <translation>SMD entsperren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Enter your &amp;passphrase to unlock your profile.</source>
        <translation>Geben Sie Ihre &amp;Passphrase ein, um Ihr Profil zu entsperren.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Passphrase</source>
        <translation>Passphrase</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Unlocking</source>
        <translation>Wird entsperrt</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Error message</source>
        <translation>Fehlermeldung</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>&amp;Unlock</source>
        <translation>&amp;Entsperren</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Unlock</source>
        <translation>Entsperren</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>&amp;Quit</source>
        <translation>&amp;Beenden</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Quit</source>
        <translation>Beenden</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>SMD is still starting; try again in a moment.</source>
        <translation>SMD startet noch; versuchen Sie es gleich noch einmal.</translation>
    </message>
</context>
<context>
    <name>WizardPage</name>
    <message>
        <location filename="../../smd_desktop/ui/wizard_page.py" line="+22"/>
        <source>Working</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Error message</source>
        <translation type="unfinished">Fehlermeldung</translation>
    </message>
</context>
</TS>
