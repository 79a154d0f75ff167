-- What analysts asked for in issue 15: the source registry's time zone and country, and the
-- functions behind the marts' clean columns (sections, tags, authors), kept beside the values
-- the pages gave.

alter table ops.sources
    add column timezone text not null default 'UTC',
    add column country  text check (country ~ '^[A-Z]{2}$');
comment on column ops.sources.timezone is 'IANA zone of the dates the site prints without an offset (scrapers/sources/*.toml timezone).';
comment on column ops.sources.country is 'Country the source publishes from, ISO 3166-1 alpha-2 (scrapers/sources/*.toml country); NULL when not configured.';

-- HTML character references left in a value by a page (`My&#x20;Europe`, `Mobile Endger&auml;te`):
-- numeric ones all, named ones for the characters news metadata carries (Latin-1 letters and
-- the punctuation HTML escapes). An unknown name stays as written.
create function core.decode_html_entities(value text) returns text
language plpgsql immutable parallel safe strict
as $$
declare
    decoded text := value;
    found text[];
    code integer;
    named constant jsonb := '{"amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "''", "nbsp": " ",
        "ndash": "–", "mdash": "—", "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "hellip": "…",
        "auml": "ä", "ouml": "ö", "uuml": "ü", "Auml": "Ä", "Ouml": "Ö", "Uuml": "Ü", "szlig": "ß",
        "aacute": "á", "eacute": "é", "iacute": "í", "oacute": "ó", "uacute": "ú", "Aacute": "Á", "Eacute": "É",
        "agrave": "à", "egrave": "è", "ograve": "ò", "ugrave": "ù", "Agrave": "À", "Egrave": "È",
        "acirc": "â", "ecirc": "ê", "icirc": "î", "ocirc": "ô", "ucirc": "û", "ccedil": "ç", "Ccedil": "Ç",
        "atilde": "ã", "otilde": "õ", "ntilde": "ñ", "Ntilde": "Ñ", "euml": "ë", "iuml": "ï", "aring": "å",
        "oslash": "ø", "aelig": "æ", "Aring": "Å", "Oslash": "Ø", "AElig": "Æ"}';
begin
    if position('&' in value) = 0 then
        return value;
    end if;
    for found in select regexp_matches(value, '&#([xX]?)([0-9a-fA-F]{1,6});', 'g') loop
        code := case when found[1] = '' then found[2]::integer
                     else ('x' || lpad(found[2], 8, '0'))::bit(32)::integer end;
        if code between 1 and 1114111 and code not between 55296 and 57343 then
            decoded := replace(decoded, '&#' || found[1] || found[2] || ';', chr(code));
        end if;
    end loop;
    for found in select regexp_matches(decoded, '&([A-Za-z]{2,8});', 'g') loop
        if named ? found[1] then
            decoded := replace(decoded, '&' || found[1] || ';', named ->> found[1]);
        end if;
    end loop;
    return decoded;
end
$$;
comment on function core.decode_html_entities(text) is
    'The text with HTML character references decoded (all numeric ones; named ones of Latin-1 letters and common punctuation).';

-- A section as an analyst groups by it: decoded, separators made spaces, repeated words once
-- (`news_news` -> `news`), lower case; NULL for what only names the site or its front page
-- (the source's name or domain, Home, Startseite, ...).
create function core.clean_section(section text, source_name text, domains text[]) returns text
language sql immutable parallel safe
as $$
    with decoded as (
        select lower(btrim(regexp_replace(core.decode_html_entities(section), '[\s_|>›»/]+', ' ', 'g'))) as value
    ),
    words as (
        select string_agg(word, ' ' order by first_at) as value
        from (select word, min(n) as first_at
              from decoded, regexp_split_to_table(decoded.value, ' ') with ordinality as w(word, n)
              where word <> '' group by word) distinct_words
    )
    select case
        when w.value is null or w.value = '' then null
        when w.value in ('home', 'homepage', 'home page', 'front page', 'frontpage', 'startseite', 'index',
                         'accueil', 'portada', 'inicio', 'voorpagina', 'forside', 'etusivu')
            then null
        when w.value = lower(source_name) or w.value = any (array(
                select lower(regexp_replace(d, '^www\.', '')) from unnest(domains) as d
                union select lower(split_part(regexp_replace(d, '^www\.', ''), '.', 1)) from unnest(domains) as d))
            then null
        else w.value
    end
    from words w
$$;
comment on function core.clean_section(text, text, text[]) is
    'Section for grouping: HTML references decoded, separators as spaces, repeated words once, lower case; NULL for the site''s own name or its front page.';

-- A tag without a publisher's internal code: `RSBI:HUMAN-RIGHTS` -> `human rights` (the code
-- prefix dropped, its value made words), NULL for identifiers (no letter; one word with an
-- underscore, letters and digits alternating, or a hex id: `tag_1234`, `a1b2c3`, `5f3e9a0c`).
-- COP31, G20, H5N1 stay. So do short capitals: in the wild they are acronyms (SPD, AfD, RMV,
-- NATO) at least as often as codes (AER).
create function core.clean_tag(tag text) returns text
language sql immutable parallel safe
as $$
    with decoded as (
        select btrim(core.decode_html_entities(tag)) as value
    ),
    uncoded as (
        select case when value ~ '^[A-Z0-9]{2,12}:[^\s:]'
                    then regexp_replace(regexp_replace(value, '^[A-Z0-9]{2,12}:', ''), '[-_]+', ' ', 'g')
                    else value end as value,
               value ~ '^[A-Z0-9]{2,12}:' as had_code
        from decoded
    )
    select case
        when value is null or value !~ '[[:alpha:]]' then null
        when value !~ '\s' and (value ~ '_' or value ~ '([[:alpha:]][0-9]){3}'
                                 or (value ~* '^[0-9a-f-]{8,}$' and value ~ '[0-9]' and value ~* '[a-f]')) then null
        when had_code and value = upper(value) then lower(value)
        else value
    end
    from uncoded
$$;
comment on function core.clean_tag(text) is
    'Tag without internal codes: a CODE: prefix dropped (its value made words); identifiers (no letter, snake_case words, letters and digits alternating, hex ids) NULL.';

-- Person or organisation, from the shape of the name: words newsrooms and agencies use
-- (in the languages of the sources), an acronym, or a single word (outside Chinese, Japanese and
-- Korean) mark an organisation.
create function core.author_kind(name text) returns text
language sql immutable parallel safe
as $$
    select case
        when n ~* '\m(news|press|agency|agencies|staff|desk|team|newsroom|editors?|editorial|wire|service|reuters|afp|associated|bureau|media|online|digital|correspondents?|redaktion|nachrichten|agentur|rédaction|redacción|redazione|redactie|agencia|agenzia|dpa|epd|kna|ap|ansa|efe|bbc|cnn|npr|dw)\M'
            then 'organisation'
        when n ~ '(新聞|新闻|通信社|通讯社|日報|日报|日刊|電視|电视|放送|뉴스|일보|통신)' then 'organisation'
        when n ~ '^[[:upper:][:digit:]&.-]{2,10}$' then 'organisation'
        -- Chinese, Japanese and Korean names are written without a space: one word is a person there.
        when n !~ '\s' and n !~ '[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]' then 'organisation'
        else 'person'
    end
    from (select btrim(regexp_replace(name, '\s+', ' ', 'g')) as n) cleaned
$$;
comment on function core.author_kind(text) is
    'person or organisation, from the name''s shape: newsroom and agency words in the sources'' languages, an acronym, or a single word mark an organisation.';

-- An author's name for display: spaces collapsed, a person's name written all in capitals
-- turned to capitalised words (`JANE DOE` -> `Jane Doe`); mixed case is kept as written
-- (McDonald, de la Cruz), and so are organisations (AFP, BBC).
create function core.author_display_name(name text) returns text
language sql immutable parallel safe
as $$
    select case when n = upper(n) and n <> lower(n) and core.author_kind(n) = 'person' then initcap(n) else n end
    from (select btrim(regexp_replace(name, '\s+', ' ', 'g')) as n) cleaned
$$;
comment on function core.author_display_name(text) is
    'Author name for display: spaces collapsed; a person''s all-capitals name as capitalised words, other names as written.';

grant execute on function core.decode_html_entities(text), core.clean_section(text, text, text[]),
    core.clean_tag(text), core.author_display_name(text), core.author_kind(text) to news_loader, news_analyst;
